package io.meshfed.it.bench.eastwest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;

/** A real BoringSSL ClientHello with an Istio SNI and ALPN, as an Envoy sidecar sends it. */
final class ClientHelloBytes {

  private ClientHelloBytes() {
  }

  static byte[] of(String sni, List<String> alpn) throws Exception {
    SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
        .build();
    SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
    try {
      SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), sni);
      ByteBuffer out = ByteBuffer.allocate(16 * 1024);
      engine.beginHandshake();
      engine.wrap(ByteBuffer.allocate(0), out);
      out.flip();
      return Arrays.copyOf(out.array(), out.limit());
    } finally {
      ((ReferenceCountedOpenSslEngine) engine).release();
    }
  }
}
