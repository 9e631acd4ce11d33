package io.meshfed.gateway.l7.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A BoringSSL HTTP/1.1 server standing in for a remote east-west gateway or an external TLS service: reads SNI with
 * Netty's {@link SniHandler} (which accepts Istio's underscore names), optionally requires a client certificate, and
 * answers with what it saw (SNI, ALPN, client URI SAN, Host, path).
 */
public final class TlsPeer implements AutoCloseable {

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  public TlsPeer(String host, TestPki.Leaf certificate, TestPki clientCa, List<String> alpn) throws Exception {
    SslContextBuilder builder = SslContextBuilder.forServer(
            new ByteArrayInputStream(certificate.chainPem().getBytes(StandardCharsets.US_ASCII)),
            new ByteArrayInputStream(certificate.keyPem().getBytes(StandardCharsets.US_ASCII)))
        .sslProvider(SslProvider.OPENSSL);
    if (clientCa != null) {
      builder.trustManager(clientCa.ca()).clientAuth(ClientAuth.REQUIRE);
    }
    if (!alpn.isEmpty()) {
      builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }
    SslContext context = builder.build();
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            SniHandler sni = new SniHandler((Mapping<String, SslContext>) name -> context);
            channel.pipeline().addLast(sni, new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
                    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                    String client = "";
                    try {
                      var peer = (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
                      if (peer.getSubjectAlternativeNames() != null) {
                        for (List<?> san : peer.getSubjectAlternativeNames()) {
                          if ((Integer) san.get(0) == 6) {
                            client = String.valueOf(san.get(1));
                          }
                        }
                      }
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                      client = "";
                    }
                    JsonObject seen = new JsonObject().put("sni", String.valueOf(sni.hostname()))
                        .put("alpn", String.valueOf(ssl.applicationProtocol())).put("client", client)
                        .put("host", request.headers().get("host")).put("uri", request.uri());
                    var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(seen.encode(), StandardCharsets.UTF_8));
                    response.headers().set("content-type", "application/json")
                        .setInt("content-length", response.content().readableBytes());
                    ctx.writeAndFlush(response);
                  }
                });
          }
        }).bind(host, 0).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
