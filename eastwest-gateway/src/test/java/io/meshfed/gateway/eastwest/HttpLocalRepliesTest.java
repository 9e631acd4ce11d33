package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.HttpBackend;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What follows a response on HTTP/1.1, the gateway's own replies (404, 503, 504) above all: the connection stays when
 * the response's head said so, and closes when it said {@code connection: close}; a response sent before its
 * request's body ended closes the connection in stages, so a client still uploading reads the response instead of a
 * reset, and the connection ends within Envoy's delayed close timeout (1 s) even if the client holds it. Stream idle
 * timeout off: nothing else would end a connection left hanging.
 */
class HttpLocalRepliesTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  /** Envoy's delayed_close_timeout, which bounds the close. */
  static final Duration DELAYED_CLOSE = Duration.ofSeconds(1);
  static final Duration LATE = Duration.ofMillis(1500);
  /**
   * How soon a connection announced closed ends once the client has its response: the gateway's close_notify and FIN
   * follow the response at once and the client closes on them; well within the delayed close timeout (1 s), so a close
   * that came only from that timeout fails.
   */
  static final Duration PROMPT = Duration.ofMillis(700);
  static final Duration ROUTE_TIMEOUT = Duration.ofMillis(500);
  static final String LISTENER = "0.0.0.0_15001";
  static final String ROUTES = "outbound.15001";
  /** More than the forwarder holds while connecting (1 MiB) and than socket buffers take in. */
  static final int LARGE = 8 << 20;

  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private HttpBackend web;
  private Channel sink;
  private Channel early;
  private EastWestGateway gateway;
  private InetSocketAddress address;

  @BeforeEach
  void start() throws IOException {
    web = new HttpBackend(net.group(), "127.0.2.51", "web", null);
    // Accepts connections and never reads: an upload to it stalls once the buffers on the way are full.
    sink = new ServerBootstrap().group(net.group()).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_RCVBUF, 16 * 1024).childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.2.52", 0).syncUninterruptibly().channel();
    early = earlyBackend("127.0.2.54");
    InetSocketAddress refusing;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.2.53"))) {
      refusing = (InetSocketAddress) closed.getLocalSocketAddress();
    }
    Listener listener = Listener.newBuilder().setName(LISTENER).setAddress(Xds.address("0.0.0.0", 15001))
        .addFilterChains(FilterChain.newBuilder().addFilters(Xds.httpConnectionManager(Xds.manager(ROUTES)
            .setStreamIdleTimeout(Xds.millis(0)).build())))
        .build();
    gateway = EastWestGateway.builder().eventLoops(1).observer(observer)
        .bind(LISTENER, new InetSocketAddress("127.0.1.1", 0)).build();
    ApplyResult result = Await.get(gateway.apply(new XdsResources("1", List.of(listener),
        List.of(routes()), List.of(Xds.eds("web"), Xds.eds("down"), Xds.eds("sink"), Xds.eds("early")),
        List.of(Xds.endpoints("web", web.address()), Xds.endpoints("down", refusing),
            Xds.endpoints("sink", (InetSocketAddress) sink.localAddress()),
            Xds.endpoints("early", (InetSocketAddress) early.localAddress())),
        List.of())));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    address = gateway.boundAddress(LISTENER).orElseThrow();
  }

  /**
   * An upstream that answers a request's head at once and ends its (chunked) response when the request has ended,
   * as one that streams a transformed upload back does.
   */
  private Channel earlyBackend(String ip) {
    return new ServerBootstrap().group(net.group()).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                  HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                  HttpUtil.setTransferEncodingChunked(head, true);
                  ctx.writeAndFlush(head);
                }
                if (msg instanceof LastHttpContent) {
                  ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("done", StandardCharsets.US_ASCII)));
                  ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                }
                ReferenceCountUtil.release(msg);
              }
            });
          }
        }).bind(ip, 0).syncUninterruptibly().channel();
  }

  /**
   * Host {@code web} to the backend, {@code down} to a port nobody listens on, {@code sink} with a route timeout,
   * {@code early} to the early backend.
   */
  private static RouteConfiguration routes() {
    RouteConfiguration.Builder routes = Xds.routes(ROUTES, Map.of(List.of("web"), "web", List.of("down"), "down",
        List.of("sink"), "sink", List.of("early"), "early")).toBuilder();
    for (VirtualHost.Builder host : routes.getVirtualHostsBuilderList()) {
      if (host.getName().equals("sink")) {
        host.getRoutesBuilder(0).getRouteBuilder().setTimeout(Xds.millis(ROUTE_TIMEOUT.toMillis()));
      }
    }
    return routes.build();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    web.close();
    sink.close().syncUninterruptibly();
    early.close().syncUninterruptibly();
    net.close();
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Test
  void notFoundForAKeepAliveGetKeepsTheConnection() {
    try (TestClient client = net.plain(address)) {
      client.send("GET /a HTTP/1.1\r\nhost: nowhere\r\n\r\n");
      // A request without a body is whole at its head: the reply need not close.
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 404 ").contains("x-meshfed-flags: NR\r\n")
          .doesNotContain("connection: close");
      client.send("GET /b HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web GET /b");
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void responseAnnouncingCloseClosesThoughItsRequestEndedBeforeIt() {
    try (TestClient client = net.plain(address)) {
      client.send("POST /early HTTP/1.1\r\nhost: early\r\ncontent-length: 10\r\n\r\n12345");
      // The head comes while the body is still arriving: the connection cannot be promised.
      String head = client.readFirst(text -> text.contains("\r\n\r\n") ? text.indexOf("\r\n\r\n") + 4 : -1, WAIT);
      assertThat(head).startsWith("HTTP/1.1 200 ").contains("connection: close\r\n");
      client.send("67890");
      assertThat(client.readUntil(text -> text.endsWith("0\r\n\r\n"), WAIT)).contains("done");
      // The body ended before the response did; what the head announced is what happens.
      assertThat(client.closedWithin(PROMPT)).isTrue();
    }
  }

  @Test
  void pipelinedRequestWithItsWholeBodyInOneWriteIsServed() {
    try (TestClient client = net.plain(address)) {
      // The POST's head and whole body are queued behind the GET being served, and go upstream outside a read.
      client.send("GET /delay/500 HTTP/1.1\r\nhost: web\r\n\r\n"
          + "POST /b HTTP/1.1\r\nhost: web\r\ncontent-length: 10\r\n\r\n0123456789");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web GET /delay/500");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web POST /b")
          .endsWith("body=0123456789");
    }
  }

  @Test
  void pipelinedRequestKeepsItsBodyWholeAndInOrder() {
    try (TestClient client = net.plain(address)) {
      // One write: the POST's head and the start of its body are queued behind the GET being served.
      client.send("GET /delay/500 HTTP/1.1\r\nhost: web\r\n\r\n"
          + "POST /b HTTP/1.1\r\nhost: web\r\ncontent-length: 10\r\n\r\n01234");
      client.send("56789");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web GET /delay/500");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web POST /b")
          .endsWith("body=0123456789");
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void malformedChunkedBodyGets400AndNeverReachesTheUpstreamAsWhole() {
    try (TestClient client = net.plain(address)) {
      client.send("POST /chunks HTTP/1.1\r\nhost: web\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
      // The first chunk is on its way upstream by now; the next one's size is no number.
      client.send("zz\r\nworld\r\n0\r\n\r\n");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 400 ").contains("x-meshfed-flags: DPE\r\n")
          .contains("connection: close\r\n");
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    RequestRecord record = observer.request(r -> r.path().equals("/chunks"), WAIT);
    assertThat(record.status()).isEqualTo(400);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.DPE);
    // The upstream connection was closed mid-body: the backend never saw a whole request.
    assertThat(Await.until(WAIT, () -> web.closed.get() == web.connections.get())).isTrue();
    assertThat(web.requests).hasValue(0);
  }

  @Test
  void drainAfterAResponseHeadAnnouncingKeepAliveClosesAfterTheNextResponse() throws Exception {
    try (TestClient client = net.plain(address); TestClient idle = net.plain(address)) {
      // The drip's head announces keep-alive at once and its end comes 2 s later; the next request is pipelined.
      client.send("GET /drip/1/2000 HTTP/1.1\r\nhost: web\r\n\r\nGET /next HTTP/1.1\r\nhost: web\r\n\r\n");
      String head = client.readFirst(text -> text.contains("\r\n\r\n") ? text.indexOf("\r\n\r\n") + 4 : -1, WAIT);
      assertThat(head).startsWith("HTTP/1.1 200 ").doesNotContain("connection: close");
      CompletableFuture<DrainResult> drain = gateway.drain(WAIT).toCompletableFuture();
      // The idle connection closes at once: the drain has reached the connections, before the drip's end.
      assertThat(idle.closedWithin(WAIT)).isTrue();
      String rest = client.readFirst(text -> text.contains("0\r\n\r\n") ? text.indexOf("0\r\n\r\n") + 5 : -1,
          WAIT);
      assertThat(rest).contains(HttpBackend.DRIP_PART).endsWith("0\r\n\r\n");
      // What the head said is what happens: the connection goes on, and the next response announces the close.
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web GET /next")
          .contains("connection: close\r\n");
      assertThat(client.closedWithin(WAIT)).isTrue();
      assertThat(drain.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).forced()).isZero();
    }
  }

  @Test
  void requestWithTransferEncodingAndContentLengthGets400AndTheClose() {
    try (TestClient client = net.plain(address)) {
      // RFC 9112 section 6.3 allows reading it by the chunked framing; Netty refuses it, as Envoy does by default.
      client.send("POST /both HTTP/1.1\r\nhost: web\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 400 ").contains("x-meshfed-flags: DPE\r\n")
          .contains("connection: close\r\n");
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(web.requests).hasValue(0);
  }

  @Test
  void headResponseHasNoBodyAndTheConnectionGoesOn() {
    try (TestClient client = net.plain(address)) {
      // Its content-length is the GET's: no body follows the head all the same.
      client.send("HEAD /a HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(client.readFirst(text -> text.contains("\r\n\r\n") ? text.indexOf("\r\n\r\n") + 4 : -1, WAIT))
          .startsWith("HTTP/1.1 200 ").containsPattern("content-length: [1-9]");
      client.send("GET /next HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(client.readResponse(WAIT)).startsWith("HTTP/1.1 200 ").contains("web GET /next");
    }
  }

  @Test
  void uploadCutShortByALocalReplyGetsItAndTheConnectionEnds() {
    try (TestClient client = net.plain(address)) {
      client.send("POST /upload HTTP/1.1\r\nhost: sink\r\ncontent-length: " + LARGE + "\r\n\r\n");
      // Not awaited: the gateway stops reading once the sink's buffers are full, and so the write stalls.
      client.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[LARGE]));
      String reply = client.readResponse(WAIT);
      long answered = System.nanoTime();
      assertThat(reply).startsWith("HTTP/1.1 504 ").contains("x-meshfed-flags: UT\r\n")
          .contains("connection: close\r\n");
      // The gateway shuts its side after the reply, reads again (it had stopped for the sink) and sees this client's
      // close: the connection is gone at once, where it hung for good.
      assertThat(client.closedWithin(WAIT)).isTrue();
      assertThat(observer.connection(r -> true, WAIT)).isNotNull();
      assertThat(since(answered)).isLessThan(DELAYED_CLOSE.plus(LATE));
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(504);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.UT);
  }

  @Test
  void clientWritingItsWholeUploadBeforeReadingReadsTheReply() throws Exception {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      // A synchronous client: all of the request, then the response. The upstream refuses, so the 503 comes early.
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        try {
          out.write(("POST /upload HTTP/1.1\r\nhost: down\r\ncontent-length: " + LARGE / 2 + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(new byte[LARGE / 2]);
          out.flush();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      upload.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      String reply = readToEnd(socket.getInputStream());
      long ended = System.nanoTime();
      assertThat(reply).startsWith("HTTP/1.1 503 ").contains("x-meshfed-flags: UF\r\n")
          .contains("connection: close\r\n");
      // This client keeps its socket: the gateway closes its own at the delayed close timeout.
      assertThat(observer.connection(r -> true, WAIT)).isNotNull();
      assertThat(since(ended)).isLessThan(DELAYED_CLOSE.plus(LATE));
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(503);
    assertThat(record.responseFlags()).contains(ResponseFlag.UF);
  }

  /** Everything until the peer's end of stream (fails on the socket timeout). */
  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
      all.write(chunk, 0, n);
    }
    return all.toString(StandardCharsets.US_ASCII);
  }
}
