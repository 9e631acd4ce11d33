package io.meshfed.gateway.eastwest.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Adapts a {@link PeerVerifier} to the JSSE trust-manager callback BoringSSL's handshake calls through netty-tcnative.
 * A rejection travels as the cause of the {@link CertificateException}, so the handshake failure carries the typed
 * reason. Host names are never checked: peers are identified by SPIFFE ID, not DNS.
 */
final class VerifyingTrustManager extends X509ExtendedTrustManager {

  private final PeerVerifier verifier;

  VerifyingTrustManager(PeerVerifier verifier) {
    this.verifier = verifier;
  }

  private void check(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
    PeerIdentity identity;
    try {
      identity = verifier.verify(Arrays.asList(chain));
    } catch (PeerRejectedException e) {
      throw new CertificateException(e.getMessage(), e);
    }
    // Remembered on the session, so whoever authorizes the peer after the handshake need not parse the leaf again.
    SSLSession session = engine == null ? null : engine.getHandshakeSession();
    if (session != null) {
      session.putValue(PeerIdentity.SESSION_KEY, identity);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  /**
   * None: a server built on this sends no certificate_authorities list (as Envoy does not), so every client presents
   * its certificate and a foreign chain is refused as {@code untrusted_chain} rather than arriving as no certificate.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
