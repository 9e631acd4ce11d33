package io.meshfed.federation.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * One control plane's Hazelcast member.
 *
 * @param meshId the mesh id, used as Hazelcast's cluster name
 * @param memberName unique in the mesh (the relay derives the member's virtual address from it)
 * @param backups synchronous backup copies of every catalog partition
 * @param memberTimeout how long a silent member stays in the cluster (Hazelcast's max-no-heartbeat)
 * @param mergeInterval how often separate clusters of one mesh look for each other (split-brain merge)
 */
public record MemberSettings(String meshId, String memberName, Membership membership, int backups,
    Duration memberTimeout, Duration mergeInterval) {

  public MemberSettings {
    requireToken("meshId", meshId);
    requireToken("memberName", memberName);
    Objects.requireNonNull(membership, "membership");
    if (backups < 0 || backups > 6) {
      throw new IllegalArgumentException("backups: " + backups + " (expected: 0..6)");
    }
    if (memberTimeout == null || memberTimeout.toSeconds() < 2) {
      throw new IllegalArgumentException("memberTimeout: " + memberTimeout + " (expected: at least 2 s)");
    }
    if (mergeInterval == null || mergeInterval.toSeconds() < 1) {
      throw new IllegalArgumentException("mergeInterval: " + mergeInterval + " (expected: at least 1 s)");
    }
  }

  /** Defaults: one backup, 60 s member timeout (Hazelcast's), merge search every 30 s. */
  public static MemberSettings of(String meshId, String memberName, Membership membership) {
    return new MemberSettings(meshId, memberName, membership, 1, Duration.ofSeconds(60), Duration.ofSeconds(30));
  }

  public MemberSettings withMemberTimeout(Duration timeout) {
    return new MemberSettings(meshId, memberName, membership, backups, timeout, mergeInterval);
  }

  public MemberSettings withMergeInterval(Duration interval) {
    return new MemberSettings(meshId, memberName, membership, backups, memberTimeout, interval);
  }

  public MemberSettings withBackups(int count) {
    return new MemberSettings(meshId, memberName, membership, count, memberTimeout, mergeInterval);
  }

  private static void requireToken(String field, String value) {
    if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: letters, digits, '.', '_' or '-')");
    }
  }
}
