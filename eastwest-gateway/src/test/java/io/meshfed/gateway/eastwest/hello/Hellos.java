package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Real ClientHellos, as BoringSSL (Envoy's library) and the JDK write them. */
final class Hellos {

  private Hellos() {
  }

  /** The first flight of a BoringSSL client: the ClientHello records. */
  static byte[] boringSsl(String sni, List<String> alpn) {
    SslContext context = TestNet.clientContext(null, null, alpn);
    SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
    try {
      if (sni != null) {
        SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), sni);
      }
      return firstFlight(engine);
    } finally {
      ((ReferenceCountedOpenSslEngine) engine).release();
    }
  }

  /** The JDK's ClientHello (LDH names only). */
  static byte[] jdk(String sni, List<String> alpn) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, null, null);
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(true);
      SSLParameters parameters = engine.getSSLParameters();
      if (sni != null) {
        parameters.setServerNames(List.of(new SNIHostName(sni)));
      }
      parameters.setApplicationProtocols(alpn.toArray(String[]::new));
      engine.setSSLParameters(parameters);
      return firstFlight(engine);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] firstFlight(SSLEngine engine) {
    try {
      ByteBuffer out = ByteBuffer.allocate(64 * 1024);
      engine.beginHandshake();
      engine.wrap(ByteBuffer.allocate(0), out);
      out.flip();
      return Arrays.copyOf(out.array(), out.limit());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Re-frames a single-record hello into records of at most {@code fragment} bytes each. */
  static byte[] fragmented(byte[] hello, int fragment) {
    int length = ((hello[3] & 0xff) << 8) | (hello[4] & 0xff);
    byte[] body = Arrays.copyOfRange(hello, 5, 5 + length);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int at = 0; at < body.length; at += fragment) {
      int size = Math.min(fragment, body.length - at);
      out.write(0x16);
      out.write(hello[1]);
      out.write(hello[2]);
      out.write(size >> 8);
      out.write(size & 0xff);
      out.write(body, at, size);
    }
    return out.toByteArray();
  }
}
