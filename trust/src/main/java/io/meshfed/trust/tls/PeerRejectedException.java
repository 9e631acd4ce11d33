package io.meshfed.trust.tls;

import io.meshfed.trust.RejectReason;
import java.security.cert.CertificateException;
import java.util.Optional;

/**
 * Thrown by meshfed's trust manager when a TLS peer fails SPIFFE verification; TLS stacks wrap it in their handshake
 * exception, so use {@link #find} to get it back and count the failure by {@link #reason()}.
 */
public final class PeerRejectedException extends CertificateException {

  private static final long serialVersionUID = 1L;

  private final RejectReason reason;

  PeerRejectedException(RejectReason reason, String detail) {
    super(reason.tag() + ": " + detail);
    this.reason = reason;
  }

  /** Why the peer was refused. */
  public RejectReason reason() {
    return reason;
  }

  /** The rejection somewhere in {@code failure}'s cause chain, if SPIFFE verification is what failed. */
  public static Optional<PeerRejectedException> find(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PeerRejectedException rejected) {
        return Optional.of(rejected);
      }
      for (Throwable suppressed : cause.getSuppressed()) {
        if (suppressed instanceof PeerRejectedException rejected) {
          return Optional.of(rejected);
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }
}
