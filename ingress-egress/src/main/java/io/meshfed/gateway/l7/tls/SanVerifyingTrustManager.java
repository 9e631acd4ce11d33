package io.meshfed.gateway.l7.tls;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * PKIX chain validation against a set of CAs, then Envoy's {@code match_typed_subject_alt_names}: the peer's leaf
 * must carry a SAN of the matcher's type whose value matches (any matcher suffices). With no matcher only the chain
 * is checked, as in Envoy. The seam where the trust module's SPIFFE verifier (trust-domain aware, bundle rotation)
 * replaces this class.
 */
public final class SanVerifyingTrustManager extends X509ExtendedTrustManager {

  private final X509TrustManager chain;
  private final List<SanMatcher> matchers;

  private SanVerifyingTrustManager(X509TrustManager chain, List<SanMatcher> matchers) {
    this.chain = chain;
    this.matchers = matchers;
  }

  /**
   * A trust manager over {@code cas}, or over the JDK's default roots when {@code cas} is empty and
   * {@code systemRoots} is set.
   */
  public static SanVerifyingTrustManager create(List<X509Certificate> cas, boolean systemRoots,
                                                List<SanMatcher> matchers) throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (cas.isEmpty() && systemRoots) {
      factory.init((KeyStore) null);
    } else {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      factory.init(store);
    }
    for (var manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return new SanVerifyingTrustManager(x509, List.copyOf(matchers));
      }
    }
    throw new IllegalStateException("no X509TrustManager from " + factory.getAlgorithm());
  }

  private void checkSans(X509Certificate[] peer) throws CertificateException {
    if (matchers.isEmpty()) {
      return;
    }
    Collection<List<?>> sans;
    try {
      sans = peer[0].getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("cannot read the peer's subject alternative names", e);
    }
    if (sans != null) {
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        String value = String.valueOf(san.get(1));
        for (SanMatcher matcher : matchers) {
          if (typeCode(matcher.type()) == type && matcher.match().matches(value)) {
            return;
          }
        }
      }
    }
    throw new CertificateException("peer certificate SANs " + sans + " match none of " + matchers);
  }

  private static int typeCode(SanMatcher.SanType type) {
    // RFC 5280 GeneralName tags as X509Certificate#getSubjectAlternativeNames reports them.
    return switch (type) {
      case EMAIL -> 1;
      case DNS -> 2;
      case URI -> 6;
      case IP_ADDRESS -> 7;
    };
  }

  @Override
  public void checkClientTrusted(X509Certificate[] peer, String authType) throws CertificateException {
    chain.checkClientTrusted(peer, authType);
    checkSans(peer);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] peer, String authType) throws CertificateException {
    chain.checkServerTrusted(peer, authType);
    checkSans(peer);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] peer, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(peer, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] peer, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(peer, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] peer, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(peer, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] peer, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(peer, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }
}
