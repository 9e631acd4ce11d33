package io.meshfed.trust.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.RejectReason;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.SvidProvider;
import io.meshfed.trust.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.Mapping;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty pieces: a client originating Istio's SNI with its SVID and SPIFFE verification of the server, and a
 * server terminating mTLS with {@link MeshTls#nettyServerContext()} after {@link SniHandler} peeked the ClientHello.
 */
class IstioSniNettyTest {

  private static final String ISTIO_SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  private static final TestPki PKI = new TestPki("cluster.local");
  private static final Svid GATEWAY = PKI.svid("istio-system", "eastwest-gateway");
  private static final Svid INGRESS = PKI.svid("istio-system", "ingress-gateway");

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicReference<Svid> gatewaySvid = new AtomicReference<>(GATEWAY);
  private final MeshTls serverTls = MeshTls.builder(new SvidProvider() {
    @Override
    public Svid current() {
      return gatewaySvid.get();
    }

    @Override
    public AutoCloseable onRotation(java.util.function.Consumer<Svid> listener) {
      return () -> { };
    }
  }, registry).serverAlpn(MeshTls.ISTIO_ALPN).build();
  private final MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(INGRESS), registry)
      .clientAlpn(List.of("istio-peer-exchange", "istio")).build();

  private record Seen(String sni, String alpn, SpiffeId client, String serverSerial) {
  }

  @AfterEach
  void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void clientSendsIstioSniAndBothSidesVerifySpiffeIdentities() throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    int port = startServer(seen);
    SslHandler client = connect(port, id -> id.equals(GATEWAY.spiffeId()));
    client.handshakeFuture().get(10, TimeUnit.SECONDS);

    assertThat(MeshTls.peerIdentity(client.engine().getSession())).isEqualTo(GATEWAY.spiffeId());
    Seen server = seen.get(10, TimeUnit.SECONDS);
    assertThat(server.sni()).isEqualTo(ISTIO_SNI);
    assertThat(server.alpn()).isEqualTo("istio-peer-exchange");
    assertThat(server.client()).isEqualTo(INGRESS.spiffeId());
    assertThat(client.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void clientRefusesAServerWithAnUnexpectedIdentity() throws Exception {
    int port = startServer(new CompletableFuture<>());
    SslHandler client = connect(port, id -> id.serviceAccount().equals("reviews"));
    assertThatThrownBy(() -> client.handshakeFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> assertThat(PeerRejectedException.find(e)).hasValueSatisfying(
            rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.UNAUTHORIZED_IDENTITY)));
    assertThat(registry.get("meshfed_tls_peer_rejected").tag("side", "client")
        .tag("reason", "unauthorized_identity").counter().count()).isEqualTo(1);
  }

  @Test
  void serverContextFollowsRotation() throws Exception {
    CompletableFuture<Seen> first = new CompletableFuture<>();
    CompletableFuture<Seen> second = new CompletableFuture<>();
    AtomicReference<CompletableFuture<Seen>> next = new AtomicReference<>(first);
    int port = startServer(next);
    connect(port, null).handshakeFuture().get(10, TimeUnit.SECONDS);
    SslContext before = serverTls.nettyServerContext();
    first.get(10, TimeUnit.SECONDS);

    gatewaySvid.set(PKI.svid("istio-system", "eastwest-gateway"));
    next.set(second);
    SslHandler client = connect(port, null);
    client.handshakeFuture().get(10, TimeUnit.SECONDS);
    assertThat(serverTls.nettyServerContext()).isNotSameAs(before);
    String serial = ((java.security.cert.X509Certificate) client.engine().getSession().getPeerCertificates()[0])
        .getSerialNumber().toString(16);
    assertThat(serial).isEqualTo(gatewaySvid.get().serial()).isNotEqualTo(GATEWAY.serial());
  }

  private int startServer(CompletableFuture<Seen> seen) throws InterruptedException {
    return startServer(new AtomicReference<>(seen));
  }

  private int startServer(AtomicReference<CompletableFuture<Seen>> seen) throws InterruptedException {
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            AtomicReference<String> sni = new AtomicReference<>();
            // The east-west gateway picks the context per connection, so a rotated SVID applies at once.
            channel.pipeline().addLast(new SniHandler((Mapping<String, SslContext>) name ->
                serverTls.nettyServerContext()));
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                if (event instanceof SniCompletionEvent completion) {
                  sni.set(completion.hostname());
                } else if (event instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
                  SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                  seen.get().complete(new Seen(sni.get(), ssl.applicationProtocol(),
                      MeshTls.peerIdentity(ssl.engine().getSession()),
                      ((java.security.cert.X509Certificate) ssl.engine().getSession().getLocalCertificates()[0])
                          .getSerialNumber().toString(16)));
                }
                ctx.fireUserEventTriggered(event);
              }
            });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private SslHandler connect(int port, Predicate<SpiffeId> expected) throws InterruptedException {
    AtomicReference<SslHandler> handler = new AtomicReference<>();
    new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            handler.set(clientTls.newClientHandler(channel.alloc(), ISTIO_SNI, port, expected));
            channel.pipeline().addLast(handler.get());
          }
        })
        .connect("127.0.0.1", port).sync();
    return handler.get();
  }
}
