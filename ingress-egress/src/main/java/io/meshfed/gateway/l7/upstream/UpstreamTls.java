package io.meshfed.gateway.l7.upstream;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * Originates TLS with any SNI, including Istio's {@code outbound_.9080_._.reviews.default.svc.cluster.local}: the
 * JDK's {@code SNIHostName} (and so Vert.x's client and Netty's own SNI path) rejects its underscores, so the name is
 * set on BoringSSL's SSL object directly before the handshake, which sends it unchanged (see
 * {@code SniRecipeTest} in eastwest-gateway).
 */
final class UpstreamTls {

  private UpstreamTls() {
  }

  static SslHandler newHandler(SslContext context, Channel channel, String sni, int port) {
    SSLEngine engine = sni.isEmpty() ? context.newEngine(channel.alloc())
        : context.newEngine(channel.alloc(), sni, port);
    if (!sni.isEmpty() && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      SSL.setTlsExtHostName(openSsl.sslPointer(), sni);
    }
    return new SslHandler(engine);
  }
}
