package io.meshfed.trust.ca;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Signs X509-SVIDs for identities callers have proved. One interface over the {@code local}, {@code vault} and
 * {@code vault-sign} backends ({@link CaMode}); start one with {@link CertificateAuthorities#start}.
 *
 * <p>All methods return at once; backend work (Vault calls, signing) runs on worker threads. Failures are failed
 * futures carrying a {@link CaException} whose {@link CaException#reason()} says what went wrong.
 */
public interface CertificateAuthority {

  /**
   * Signs {@code csrPem} for {@code caller}, the identity the caller proved (from its mTLS peer certificate or its
   * Kubernetes token). A CSR for any other identity fails with {@link CaException.Reason#IDENTITY_MISMATCH}.
   *
   * @param ttl the requested lifetime; {@code null} for the configured default (24 h)
   */
  Future<IssuedCertificate> sign(String csrPem, SpiffeId caller, Duration ttl);

  /** {@link #sign(String, SpiffeId, Duration)} with the default lifetime. */
  default Future<IssuedCertificate> sign(String csrPem, SpiffeId caller) {
    return sign(csrPem, caller, null);
  }

  /** The current trust bundle: every root peers may chain to, and the accepted trust domains. */
  TrustBundle trustBundle();

  /** Which backend this is. */
  CaMode mode();

  /** Stops timers and releases the backend; later calls fail with {@link CaException.Reason#CLOSED}. */
  Future<Void> close();
}
