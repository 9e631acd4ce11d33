package io.meshfed.gateway.eastwest.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * {@link GatewayTls} on BoringSSL (netty-tcnative), with {@link SpiffePeerVerifier} for peers. Server contexts ask
 * for a client certificate but do not make BoringSSL require it: a missing certificate is then told apart from a bad
 * one after the handshake ({@code no_client_cert}), instead of both surfacing as one opaque alert.
 *
 * <p>Contexts and engines are reference counted ({@code OPENSSL_REFCNT}): no finalizer per connection, which matters
 * at thousands of handshakes per second. {@code SslHandler} releases its engine when removed; the caller releases a
 * context it no longer hands out ({@code ReferenceCountUtil.release}), and engines still open keep it alive.
 */
public final class BoringSslGatewayTls implements GatewayTls {

  private final int verifiedChainCacheSize;

  public BoringSslGatewayTls() {
    this(SpiffePeerVerifier.DEFAULT_CACHE_SIZE);
  }

  /** @param verifiedChainCacheSize chains each verifier remembers as verified; 0 verifies every handshake in full */
  public BoringSslGatewayTls(int verifiedChainCacheSize) {
    if (verifiedChainCacheSize < 0) {
      throw new IllegalArgumentException("verifiedChainCacheSize: " + verifiedChainCacheSize + " (expected: >= 0)");
    }
    this.verifiedChainCacheSize = verifiedChainCacheSize;
  }

  @Override
  public SslContext serverContext(ServerTlsSpec spec) throws SSLException {
    TlsCertificate certificate = spec.certificate();
    SslContextBuilder builder = SslContextBuilder
        .forServer(certificate.privateKey(), certificate.chain().toArray(X509Certificate[]::new))
        .sslProvider(SslProvider.OPENSSL_REFCNT)
        .protocols(spec.parameters().protocols());
    if (spec.clientValidation() != null) {
      builder.clientAuth(ClientAuth.OPTIONAL)
          .trustManager(new VerifyingTrustManager(verifier(spec.clientValidation())));
    }
    if (!spec.alpn().isEmpty()) {
      builder.applicationProtocolConfig(alpn(spec.alpn()));
    }
    if (!spec.parameters().cipherSuites().isEmpty()) {
      builder.ciphers(spec.parameters().cipherSuites());
    }
    return builder.build();
  }

  @Override
  public SslContext clientContext(ClientTlsSpec spec) throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(SslProvider.OPENSSL_REFCNT)
        .protocols(spec.parameters().protocols())
        // Upstreams are identified by SPIFFE ID (the validation context), never by DNS name.
        .endpointIdentificationAlgorithm(null);
    if (spec.certificate() != null) {
      builder.keyManager(spec.certificate().privateKey(),
          spec.certificate().chain().toArray(X509Certificate[]::new));
    }
    if (spec.serverValidation() != null) {
      builder.trustManager(new VerifyingTrustManager(verifier(spec.serverValidation())));
    } else {
      // Envoy's UpstreamTlsContext without a validation context does not verify the server either.
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
    }
    if (!spec.alpn().isEmpty()) {
      builder.applicationProtocolConfig(alpn(spec.alpn()));
    }
    if (!spec.parameters().cipherSuites().isEmpty()) {
      builder.ciphers(spec.parameters().cipherSuites());
    }
    return builder.build();
  }

  @Override
  public SslHandler clientHandler(SslContext context, ByteBufAllocator allocator, String sni, String peerHost,
      int peerPort) {
    SSLEngine engine = context.newEngine(allocator, peerHost, peerPort);
    if (!sni.isEmpty() && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      // The JDK's SNIHostName (and so SSLParameters) refuses Istio's underscores; BoringSSL itself takes any name.
      SSL.setTlsExtHostName(openSsl.sslPointer(), sni);
    }
    return new SslHandler(engine);
  }

  @Override
  public PeerVerifier verifier(PeerValidation validation) {
    return new SpiffePeerVerifier(validation, verifiedChainCacheSize);
  }

  private static ApplicationProtocolConfig alpn(List<String> protocols) {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
  }
}
