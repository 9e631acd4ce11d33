package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.internal.tcnative.SSL;
import io.netty.util.Mapping;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recipe the :15443 router stands on: Istio-style SNI and ALPN travel between BoringSSL peers.
 *
 * <p>Istio's SNI ({@code outbound_.<port>_.<subset>_.<fqdn>}) has underscores, which the JDK's {@link SNIHostName}
 * rejects as non-LDH in both its constructors. Vert.x builds client and server SNI through it, so a Vert.x client
 * cannot send an Istio SNI and a Vert.x server in SNI mode drops the connection; Netty's OpenSSL engine checks peer
 * hosts the same way and silently sends no SNI. BoringSSL itself has no such rule: setting the name on the native
 * SSL object sends it, and Netty's own ClientHello parser ({@link SniHandler}) reads it. meshfed's gateways therefore
 * originate and read Istio SNI at the Netty level.
 */
class SniRecipeTest {

  private static final String ISTIO_SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  @AfterEach
  void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void jdkSniHostNameRejectsIstioNames() {
    assertThatThrownBy(() -> new SNIHostName(ISTIO_SNI)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void boringSslPeersCarryIstioSniAndAlpn() throws Exception {
    ApplicationProtocolConfig istioAlpn = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        "istio-peer-exchange", "istio");
    SelfSignedCertificate certificate = new SelfSignedCertificate("eastwest");
    SslContext serverContext = SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey())
        .sslProvider(SslProvider.OPENSSL).applicationProtocolConfig(istioAlpn).build();
    SslContext clientContext = SslContextBuilder.forClient()
        .sslProvider(SslProvider.OPENSSL).trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocolConfig(istioAlpn).build();

    CompletableFuture<String> sniSeen = new CompletableFuture<>();
    CompletableFuture<String> alpnSeen = new CompletableFuture<>();
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new SniHandler((Mapping<String, SslContext>) hostname -> serverContext));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof SniCompletionEvent sni) {
                  sniSeen.complete(sni.hostname());
                } else if (event instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
                  alpnSeen.complete(ctx.pipeline().get(SslHandler.class).applicationProtocol());
                }
                ctx.fireUserEventTriggered(event);
              }
            });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();

    Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            SSLEngine engine = clientContext.newEngine(ch.alloc(), ISTIO_SNI, port);
            // Set on the native SSL object, past the JDK's LDH check.
            SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), ISTIO_SNI);
            ch.pipeline().addLast(new SslHandler(engine));
          }
        })
        .connect("127.0.0.1", port).sync().channel();
    client.pipeline().get(SslHandler.class).handshakeFuture().get(10, TimeUnit.SECONDS);

    assertThat(sniSeen.get(10, TimeUnit.SECONDS)).isEqualTo(ISTIO_SNI);
    assertThat(alpnSeen.get(10, TimeUnit.SECONDS)).isEqualTo("istio-peer-exchange");
    client.close().sync();
    server.close().sync();
  }
}
