package io.meshfed.control.client.ca;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies the control plane's server certificate by SPIFFE rules instead of host names: the chain must lead to the
 * mesh root and the leaf's SPIFFE id must satisfy {@code expected} (the control plane's identity). A gateway that has
 * no SVID yet can use this with only the published root certificate.
 */
final class ControlPlaneTrustManager extends X509ExtendedTrustManager {

  private final TrustBundle bundle;
  private final Predicate<SpiffeId> expected;

  ControlPlaneTrustManager(TrustBundle bundle, Predicate<SpiffeId> expected) {
    this.bundle = bundle;
    this.expected = expected;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    PeerVerification verification = bundle.verify(List.of(chain));
    if (verification instanceof PeerVerification.Rejected rejected) {
      throw new CertificateException("control plane certificate rejected: " + rejected);
    }
    SpiffeId peer = ((PeerVerification.Verified) verification).peer();
    if (!expected.test(peer)) {
      throw new CertificateException("control plane certificate: " + peer
          + " (expected: the control plane's identity, .../sa/meshfed-control-plane)");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client-side trust manager: not for accepting clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.roots().toArray(new X509Certificate[0]);
  }
}
