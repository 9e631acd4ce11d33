package io.meshfed.trust;

import java.security.cert.X509Certificate;
import java.util.Objects;

/** The outcome of checking a peer's chain against a {@link TrustBundle}: the peer's identity, or why not. */
public sealed interface PeerVerification {

  /** True when the peer was verified. */
  boolean verified();

  /** The chain is valid, under a bundle root, and names an accepted SPIFFE ID. */
  record Verified(SpiffeId peer, X509Certificate leaf) implements PeerVerification {
    public Verified {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(leaf, "leaf");
    }

    @Override
    public boolean verified() {
      return true;
    }
  }

  /** The chain was refused for {@code reason}; {@code detail} says what exactly (no key material, safe to log). */
  record Rejected(RejectReason reason, String detail) implements PeerVerification {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public boolean verified() {
      return false;
    }

    @Override
    public String toString() {
      return reason.tag() + ": " + detail;
    }
  }
}
