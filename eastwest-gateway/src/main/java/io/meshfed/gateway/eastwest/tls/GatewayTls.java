package io.meshfed.gateway.eastwest.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/**
 * The TLS factory seam: how the gateway gets server and client {@link SslContext}s and the client {@link SslHandler}
 * that originates an Istio SNI. {@link BoringSslGatewayTls} is the gateway's own implementation (BoringSSL through
 * netty-tcnative); trust/'s TLS factories replace it once merged. Contexts are built when a snapshot is applied, never
 * per connection.
 */
public interface GatewayTls {

  /**
   * A server context whose handshake verifies client chains with {@link #verifier} (rejections surface as a
   * {@link PeerRejectedException} in the handshake failure's cause chain).
   */
  SslContext serverContext(ServerTlsSpec spec) throws SSLException;

  /** A client context presenting {@code spec.certificate()} and verifying the server with {@link #verifier}. */
  SslContext clientContext(ClientTlsSpec spec) throws SSLException;

  /**
   * A client handler for one upstream connection that sends {@code sni} even though it is not an LDH host name (Istio
   * SNIs contain underscores, which the JDK's {@code SNIHostName} refuses).
   */
  SslHandler clientHandler(SslContext context, ByteBufAllocator allocator, String sni, String peerHost, int peerPort);

  /** The verifier for one validation context. */
  PeerVerifier verifier(PeerValidation validation);
}
