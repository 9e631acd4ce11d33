package io.meshfed.federation.relay;

import java.util.Objects;

/** A peer identity check's answer: allowed (with the identity, for logs) or denied with the reason. */
public record PeerVerdict(boolean allowed, String identity, String reason) {

  public PeerVerdict {
    identity = Objects.requireNonNullElse(identity, "");
    reason = Objects.requireNonNullElse(reason, "");
  }

  public static PeerVerdict allow(String identity) {
    return new PeerVerdict(true, identity, "");
  }

  public static PeerVerdict deny(String identity, String reason) {
    return new PeerVerdict(false, identity, reason);
  }
}
