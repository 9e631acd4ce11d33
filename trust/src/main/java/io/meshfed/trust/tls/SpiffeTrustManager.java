package io.meshfed.trust.tls;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.RejectReason;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies TLS peers by SPIFFE rules instead of host names: the chain must lead to a root of the {@link TrustBundle},
 * the leaf's URI SAN must be a SPIFFE ID in an accepted trust domain, and the identity must pass the endpoint's
 * authorizer. Failures throw {@link PeerRejectedException} and are counted by reason.
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager {

  private final TrustBundle bundle;
  private final Predicate<SpiffeId> authorizer;
  private final Function<SSLEngine, Predicate<SpiffeId>> perEngine;
  private final TlsMetrics metrics;

  SpiffeTrustManager(TrustBundle bundle, Predicate<SpiffeId> authorizer,
      Function<SSLEngine, Predicate<SpiffeId>> perEngine, TlsMetrics metrics) {
    this.bundle = bundle;
    this.authorizer = authorizer;
    this.perEngine = perEngine;
    this.metrics = metrics;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "server", null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "server", null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "server", engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "client", null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "client", null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "client", engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.roots().toArray(new X509Certificate[0]);
  }

  /** {@code side} is who is checking: the server checks clients, the client checks servers. */
  private void check(X509Certificate[] chain, String side, SSLEngine engine) throws CertificateException {
    PeerVerification result = bundle.verify(chain == null ? java.util.List.of() : Arrays.asList(chain));
    if (result instanceof PeerVerification.Rejected rejected) {
      metrics.rejected(side, rejected.reason());
      throw new PeerRejectedException(rejected.reason(), rejected.detail());
    }
    SpiffeId peer = ((PeerVerification.Verified) result).peer();
    Predicate<SpiffeId> expected = engine == null || perEngine == null ? null : perEngine.apply(engine);
    if (!authorizer.test(peer) || (expected != null && !expected.test(peer))) {
      metrics.rejected(side, RejectReason.UNAUTHORIZED_IDENTITY);
      throw new PeerRejectedException(RejectReason.UNAUTHORIZED_IDENTITY, peer + " is not accepted here");
    }
    metrics.verified(side);
  }
}
