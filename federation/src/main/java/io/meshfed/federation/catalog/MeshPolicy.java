package io.meshfed.federation.catalog;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expiry rules (lease, grace, fail-static or withdraw) are per mesh: every member must judge a silent cluster
 * alike, or one member withdraws endpoints another keeps serving. The first member records its rules in the catalog;
 * a member configured differently says so and adopts the mesh's.
 */
final class MeshPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(MeshPolicy.class);
  static final String MAP = "meshfed.mesh";
  private static final String KEY = "expiry";

  private MeshPolicy() {
  }

  /** Blocking (Hazelcast call): returns {@code settings} with the mesh's expiry rules. */
  static CatalogSettings agree(HazelcastInstance hazelcast, CatalogSettings settings) {
    IMap<String, String> mesh = hazelcast.getMap(MAP);
    String ours = encode(settings);
    String recorded = mesh.putIfAbsent(KEY, ours);
    if (recorded == null || recorded.equals(ours)) {
      return settings;
    }
    CatalogSettings agreed = decode(recorded, settings);
    LOG.error("mesh expiry rules: this member is configured with {} but the mesh uses {}; using the mesh's (expected:"
        + " the same leaseDuration, withdrawGrace and expiryPolicy on every member)", ours, recorded);
    return agreed;
  }

  private static String encode(CatalogSettings settings) {
    return "policy=" + settings.expiryPolicy() + ",lease=" + settings.leaseDuration().toMillis() + "ms,grace="
        + settings.withdrawGrace().toMillis() + "ms";
  }

  private static CatalogSettings decode(String recorded, CatalogSettings local) {
    String[] parts = recorded.split(",");
    ExpiryPolicy policy = ExpiryPolicy.valueOf(parts[0].substring("policy=".length()));
    Duration lease = Duration.ofMillis(Long.parseLong(parts[1].replace("lease=", "").replace("ms", "")));
    Duration grace = Duration.ofMillis(Long.parseLong(parts[2].replace("grace=", "").replace("ms", "")));
    Duration heartbeat = local.heartbeatInterval().compareTo(lease) < 0 ? local.heartbeatInterval()
        : lease.dividedBy(3);
    return new CatalogSettings(heartbeat, lease, grace, policy, local.antiEntropyInterval(),
        local.maxInFlightWrites(), local.closeTimeout());
  }
}
