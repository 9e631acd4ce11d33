package io.meshfed.gateway.l7.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds BoringSSL {@link SslContext}s from compiled TLS specs and the SDS secrets of the serving snapshot, with key
 * material cached in native form ({@link KeyMaterial}).
 */
public final class TlsContextFactory {

  /** How long a downstream TLS handshake may take before the connection is closed. */
  public static final long SERVER_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private TlsContextFactory() {
  }

  /** Thrown when a context cannot be built yet (a referenced secret is missing) or at all. */
  public static final class TlsUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    /** With the reason. */
    public TlsUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The server context for a filter chain.
   *
   * @param resumption allow TLS session resumption (tickets and the session cache), as Envoy does by default; off
   *     forces a full handshake on every connection (the handshake benchmark)
   */
  public static SslContext server(DownstreamTlsSpec spec, Map<String, SecretSpec> secrets, boolean http,
                                  boolean resumption) throws TlsUnavailableException {
    SecretSpec.TlsCertificate certificate = certificate(spec.certificateSecrets(), secrets);
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(KeyMaterial.keyManagerFactory(certificate))
          .sslProvider(SslProvider.OPENSSL_REFCNT);
      List<X509Certificate> cas = new ArrayList<>(spec.inlineTrustedCas());
      if (spec.validationSecret() != null) {
        cas.addAll(validation(spec.validationSecret(), secrets).trustedCas());
      }
      if (!cas.isEmpty()) {
        builder.trustManager(SanVerifyingTrustManager.create(cas, false, sans(spec.sanMatchers(),
            spec.validationSecret(), secrets)));
        // Envoy: a validation context requests a client certificate; require_client_certificate makes it mandatory.
        builder.clientAuth(spec.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      List<String> alpn = spec.alpn().isEmpty() && http ? List.of("h2", "http/1.1") : spec.alpn();
      if (!alpn.isEmpty()) {
        builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
      }
      versions(builder, spec.minVersion(), spec.maxVersion());
      if (!spec.cipherSuites().isEmpty()) {
        builder.ciphers(spec.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE);
      }
      SslContext context = builder.build();
      if (!resumption) {
        try {
          // Stateful resumption off here; tickets are refused per connection (serverEngine).
          ((io.netty.handler.ssl.OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
        } catch (RuntimeException e) {
          ReferenceCountUtil.release(context);
          throw e;
        }
      }
      return context;
    } catch (Exception e) {
      throw new TlsUnavailableException("cannot build the server TLS context from " + certificate.name() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * A server-side TLS handler for {@code context}; without resumption the connection refuses session tickets
   * ({@code SSL_OP_NO_TICKET} on its SSL object), so every handshake is a full one.
   */
  public static SslHandler serverHandler(SslContext context, io.netty.buffer.ByteBufAllocator alloc,
                                         boolean resumption) {
    javax.net.ssl.SSLEngine engine = context.newEngine(alloc);
    if (!resumption && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }
    SslHandler handler = new SslHandler(engine);
    // Netty's default, set here so the documented bound on a client that stalls in its handshake cannot drift.
    handler.setHandshakeTimeoutMillis(SERVER_HANDSHAKE_TIMEOUT_MILLIS);
    return handler;
  }

  /**
   * The client context for an upstream: Istio mTLS or TLS origination.
   *
   * @param http2 whether the cluster speaks HTTP/2 (keeps {@code h2} in ALPN; otherwise it is dropped so the peer
   *     cannot pick a protocol this connection will not speak)
   */
  public static SslContext client(UpstreamTlsSpec spec, Map<String, SecretSpec> secrets, boolean http2)
      throws TlsUnavailableException {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL_REFCNT)
          // SANs are checked by SanVerifyingTrustManager; JDK host-name verification would reject Istio SNI.
          .endpointIdentificationAlgorithm(null);
      if (!spec.certificateSecrets().isEmpty()) {
        SecretSpec.TlsCertificate certificate = certificate(spec.certificateSecrets(), secrets);
        builder.keyManager(KeyMaterial.keyManagerFactory(certificate));
      }
      if (!spec.verify()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else {
        List<X509Certificate> cas = new ArrayList<>(spec.inlineTrustedCas());
        if (spec.validationSecret() != null) {
          cas.addAll(validation(spec.validationSecret(), secrets).trustedCas());
        }
        builder.trustManager(SanVerifyingTrustManager.create(cas, spec.systemRoots() && cas.isEmpty(),
            sans(spec.sanMatchers(), spec.validationSecret(), secrets)));
      }
      List<String> alpn = new ArrayList<>();
      for (String protocol : spec.alpn()) {
        if (http2 || !protocol.equals("h2")) {
          alpn.add(protocol);
        }
      }
      if (alpn.isEmpty() && http2) {
        alpn.add("h2");
      }
      if (!alpn.isEmpty()) {
        builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
      }
      versions(builder, spec.minVersion(), spec.maxVersion());
      return builder.build();
    } catch (TlsUnavailableException e) {
      throw e;
    } catch (Exception e) {
      throw new TlsUnavailableException("cannot build the client TLS context for SNI " + spec.sni() + ": "
          + e.getMessage(), e);
    }
  }

  private static void versions(SslContextBuilder builder, String min, String max) {
    String low = min == null ? "TLSv1.2" : min;
    String high = max == null ? "TLSv1.3" : max;
    List<String> protocols = new ArrayList<>();
    if (low.equals("TLSv1.2")) {
      protocols.add("TLSv1.2");
    }
    if (high.equals("TLSv1.3")) {
      protocols.add("TLSv1.3");
    }
    builder.protocols(protocols);
  }

  private static List<SanMatcher> sans(List<SanMatcher> fromContext, String validationSecret,
                                       Map<String, SecretSpec> secrets) throws TlsUnavailableException {
    if (validationSecret == null) {
      return fromContext;
    }
    List<SanMatcher> all = new ArrayList<>(fromContext);
    all.addAll(validation(validationSecret, secrets).sanMatchers());
    return all;
  }

  private static SecretSpec.TlsCertificate certificate(List<String> names, Map<String, SecretSpec> secrets)
      throws TlsUnavailableException {
    for (String name : names) {
      if (secrets.get(name) instanceof SecretSpec.TlsCertificate certificate) {
        return certificate;
      }
    }
    throw new TlsUnavailableException("TLS certificate secret " + names + " not received (expected: SDS "
        + "tls_certificate secrets named " + names + ")", null);
  }

  private static SecretSpec.ValidationContext validation(String name, Map<String, SecretSpec> secrets)
      throws TlsUnavailableException {
    if (secrets.get(name) instanceof SecretSpec.ValidationContext context) {
      return context;
    }
    throw new TlsUnavailableException("validation context secret " + name + " not received (expected: an SDS "
        + "validation_context secret named " + name + ")", null);
  }
}
