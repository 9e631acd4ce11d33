package io.meshfed.gateway.eastwest.tls;

import java.util.Objects;

/** A peer certificate chain the gateway refuses, with the reason as a value so callers count it without parsing text. */
public final class PeerRejectedException extends Exception {

  /** Why the chain was refused. */
  public enum Reason {
    /** No certificate at all. */
    NO_CERTIFICATE,
    /** The chain does not build to a root of the trust bundle (foreign root, bad signature, expired). */
    UNTRUSTED_CHAIN,
    /** The chain verifies, but the leaf's SPIFFE ID matches none of the accepted subject alternative names. */
    SAN_MISMATCH
  }

  private final Reason reason;

  public PeerRejectedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public PeerRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
