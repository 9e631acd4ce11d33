package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.HttpBackend;
import io.meshfed.gateway.eastwest.fixtures.HttpTestClient;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP forwarder's timeouts, with real sockets on a plaintext HTTP listener (the outbound listener's shape):
 * Envoy's {@code stream_idle_timeout} (408 while the request still arrives, 504 once it has and nothing answers, a
 * reset once the response has started, or once its end has waited that long for the client's flow-control window),
 * {@code request_headers_timeout} (408 DPE) and the connection's {@code idle_timeout}, over HTTP/1.1 and HTTP/2. Routes
 * have no route timeout, Istio's default, so nothing else bounds a stalled stream.
 */
class HttpTimeoutsTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration IDLE = Duration.ofSeconds(1);
  static final Duration HEADERS = Duration.ofSeconds(1);
  /** How much later than due a timeout may land on a loaded build machine. */
  static final Duration LATE = Duration.ofMillis(1500);
  static final String LISTENER = "0.0.0.0_15001";
  static final String ROUTES = "outbound.15001";

  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private HttpBackend web;
  private EastWestGateway gateway;
  private InetSocketAddress address;

  @BeforeEach
  void backend() {
    web = new HttpBackend(net.group(), "127.0.2.41", "web", null);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    web.close();
    net.close();
  }

  private void start(Duration streamIdleTimeout, Duration requestHeadersTimeout) {
    start(streamIdleTimeout, requestHeadersTimeout, Duration.ofHours(1));
  }

  private void start(Duration streamIdleTimeout, Duration requestHeadersTimeout, Duration idleTimeout) {
    Listener listener = Listener.newBuilder().setName(LISTENER).setAddress(Xds.address("0.0.0.0", 15001))
        .addFilterChains(FilterChain.newBuilder().addFilters(Xds.httpConnectionManager(Xds.manager(ROUTES)
            .setStreamIdleTimeout(Xds.millis(streamIdleTimeout.toMillis()))
            .setRequestHeadersTimeout(Xds.millis(requestHeadersTimeout.toMillis()))
            .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
                .setIdleTimeout(Xds.millis(idleTimeout.toMillis())))
            .build())))
        .build();
    gateway = EastWestGateway.builder().eventLoops(1).observer(observer)
        .bind(LISTENER, new InetSocketAddress("127.0.1.1", 0)).build();
    ApplyResult result = Await.get(gateway.apply(new XdsResources("1", List.of(listener),
        List.of(withoutRouteTimeout(Xds.routes(ROUTES, Map.of(List.of("*"), "web")))), List.of(Xds.eds("web")),
        List.of(Xds.endpoints("web", web.address())), List.of())));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    address = gateway.boundAddress(LISTENER).orElseThrow();
  }

  /** Istio's default route: no timeout. */
  private static RouteConfiguration withoutRouteTimeout(RouteConfiguration routes) {
    RouteConfiguration.Builder builder = routes.toBuilder();
    builder.getVirtualHostsBuilder(0).getRoutesBuilder(0).getRouteBuilder().setTimeout(Xds.millis(0));
    return builder.build();
  }

  /** One whole HTTP/1.1 response from a raw connection; what follows it stays for the next call. */
  private static String response(TestClient client) {
    return client.readResponse(WAIT);
  }

  /**
   * A request on a connection of its own, answered and recorded: with the gateway's one event loop, whatever it had to
   * do before (a close, a record) is done by then.
   */
  private void settle() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, false)) {
      assertThat(client.get("web", "/settle").status()).isEqualTo(200);
    }
    assertThat(observer.request(r -> r.path().equals("/settle"), WAIT)).isNotNull();
  }

  /**
   * A client stream's handler that notes what arrives: {@code <status> <x-meshfed-flags>} for a head, {@code data}
   * for a DATA frame, {@code reset <error code>} for RST_STREAM.
   */
  private static ChannelInboundHandlerAdapter frames(LinkedBlockingQueue<String> seen) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame head) {
          seen.add(head.headers().status() + " " + head.headers().get("x-meshfed-flags"));
        } else if (msg instanceof Http2DataFrame) {
          seen.add("data");
        }
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2ResetFrame reset) {
          seen.add("reset " + reset.errorCode());
        }
      }
    };
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void stalledRequestBodyGets408AndTheConnectionCloses() {
    start(IDLE, Duration.ZERO);
    long lastPart;
    try (TestClient client = net.plain(address)) {
      client.send("POST /upload HTTP/1.1\r\nhost: web\r\ncontent-length: 100\r\n\r\npart one;");
      // Each part starts the stream's idle period again: a timer left running from the head would fire meanwhile.
      long part = 0;
      for (int i = 0; i < 2; i++) {
        pause(IDLE.toMillis() / 3);
        part = System.nanoTime();
        client.send("more;");
      }
      lastPart = part;
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: SI\r\n")
          .contains("x-meshfed-details: stream_idle_timeout\r\n").contains("connection: close\r\n");
      assertThat(since(lastPart)).isBetween(IDLE, IDLE.plus(LATE));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(408);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
    assertThat(record.details()).isEqualTo("stream_idle_timeout");
  }

  @Test
  void silentUpstreamGets504AndTheConnectionServesTheNextRequest() {
    start(IDLE, Duration.ZERO);
    try (TestClient client = net.plain(address)) {
      long sent = System.nanoTime();
      client.send("GET /silent HTTP/1.1\r\nhost: web\r\n\r\n");
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 504 ").contains("x-meshfed-flags: SI\r\n")
          .contains("x-meshfed-details: stream_idle_timeout\r\n").doesNotContain("connection: close");
      assertThat(since(sent)).isBetween(IDLE, IDLE.plus(LATE));
      // The abandoned upstream request's connection is closed, not pooled with a response still to come.
      assertThat(Await.until(WAIT, () -> web.closed.get() == 1)).isTrue();
      client.send("GET /next HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ").contains("web GET /next");
    }
    assertThat(web.connections).hasValue(2);
    RequestRecord record = observer.request(r -> r.path().equals("/silent"), WAIT);
    assertThat(record.status()).isEqualTo(504);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
  }

  @Test
  void responseDrippingSlowerThanTheIdleTimeoutAllTogetherIsServed() {
    Duration idle = Duration.ofSeconds(2);
    start(idle, Duration.ZERO);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, false)) {
      // A part every half idle timeout (1 s of slack each), for longer than the timeout in all: each part starts the
      // period again.
      long sent = System.nanoTime();
      HttpTestClient.Response reply = client.get("web", "/drip/2/" + idle.dividedBy(2).toMillis());
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo(HttpBackend.DRIP_PART.repeat(2));
      assertThat(since(sent)).isGreaterThan(idle);
    }
    RequestRecord record = observer.request(r -> r.path().startsWith("/drip/"), WAIT);
    assertThat(record.responseFlags()).isEmpty();
  }

  @Test
  void connectionIdleTwiceTheStreamIdleTimeoutAfterAResponseServesTheNext() {
    start(IDLE, Duration.ZERO);
    try (TestClient client = net.plain(address)) {
      client.send("GET /first HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ");
      // The test's subject is the wait: no timer of the finished exchange may act on the connection after it.
      pause(IDLE.multipliedBy(2).toMillis());
      client.send("GET /second HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ").contains("web GET /second");
      assertThat(client.isOpen()).isTrue();
    }
    assertThat(observer.requests).extracting(RequestRecord::status).containsExactly(200, 200);
  }

  @Test
  void upstreamStallingMidResponseResetsTheConnection() {
    start(IDLE, Duration.ZERO);
    try (TestClient client = net.plain(address)) {
      long sent = System.nanoTime();
      client.send("GET /stall HTTP/1.1\r\nhost: web\r\n\r\n");
      String started = client.readUntil(text -> text.endsWith(HttpBackend.STALLED_PART), WAIT);
      long stalled = System.nanoTime();
      assertThat(started).startsWith("HTTP/1.1 200 ").endsWith(HttpBackend.STALLED_PART);
      assertThat(client.closedWithin(WAIT)).isTrue();
      // The gateway saw the part before the client did, so the lower bound counts from the request: a client thread
      // scheduled late must not fail it.
      assertThat(since(sent)).isGreaterThanOrEqualTo(IDLE);
      assertThat(since(stalled)).isLessThanOrEqualTo(IDLE.plus(LATE));
    }
    RequestRecord record = observer.request(r -> r.path().equals("/stall"), WAIT);
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
    assertThat(record.details()).isEqualTo("stream_idle_timeout");
  }

  @Test
  void headersTimeoutRunsFromAHeadsFirstByteNotFromLineBreaks() {
    start(Duration.ofSeconds(3), HEADERS);
    try (TestClient client = net.plain(address)) {
      client.send("GET /first HTTP/1.1\r\nhost: web\r\n\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ");
      // Line breaks between requests are no request's start (RFC 9112 section 2.2): past the timeout, no 408.
      client.send("\r\n\r\n");
      assertThat(client.readText(1, HEADERS.plusMillis(300))).isEmpty();
      long first = System.nanoTime();
      client.send("GET /second HTTP/1.1\r\nhost: web\r\n");
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: DPE\r\n")
          .contains("x-meshfed-details: request_header_timeout\r\n").contains("connection: close\r\n");
      assertThat(since(first)).isBetween(HEADERS, HEADERS.plus(LATE));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    RequestRecord record = observer.request(r -> r.status() == 408, WAIT);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.DPE);
    assertThat(record.details()).isEqualTo("request_header_timeout");
    assertThat(web.requests).hasValue(1);
  }

  @Test
  void aHeadTimeoutIsOneRequestAndAClientLeavingMidHeadNone() {
    start(Duration.ofSeconds(3), HEADERS);
    try (TestClient client = net.plain(address)) {
      // The initial line is in: at the close, the codec hands on the half-read request as a failed one.
      client.send("GET /slow HTTP/1.1\r\nhost: web\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 408 ");
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    try (TestClient client = net.plain(address)) {
      client.send("GET /gone HTTP/1.1\r\nhost: web\r\n");
    }
    // Both connections' records: the gateway has seen the second one's close, and done whatever it does about the
    // half-read head, before the assertions below.
    assertThat(Await.until(WAIT, () -> observer.connections.size() == 2)).isTrue();
    settle();
    assertThat(observer.requests).extracting(RequestRecord::status).containsExactly(408, 200);
    assertThat(gateway.stats().requests()).isEqualTo(2);
    assertThat(gateway.stats().flagged(ResponseFlag.DPE)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"P", "PRI * HTTP/2.0\r\n\r\nSM\r\n"})
  void stallWhileTheProtocolIsDetectedGets408(String start) {
    start(Duration.ofSeconds(3), HEADERS);
    try (TestClient client = net.plain(address)) {
      // The start of the HTTP/2 preface, or of an HTTP/1.1 request: it cannot be told yet.
      long sent = System.nanoTime();
      client.send(start);
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: DPE\r\n")
          .contains("x-meshfed-details: request_header_timeout\r\n");
      assertThat(since(sent)).isBetween(HEADERS, HEADERS.plus(LATE));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    settle();
    // The preface's first line is no request of its own.
    assertThat(observer.requests).extracting(RequestRecord::status).containsExactly(408, 200);
  }

  @Test
  void silentConnectionClosesAtTheIdleTimeout() {
    start(Duration.ofSeconds(3), HEADERS, IDLE);
    long connected = System.nanoTime();
    try (TestClient client = net.plain(address)) {
      // Nothing sent: the protocol is never known, and the connection is idle from its start.
      assertThat(client.closedWithin(WAIT)).isTrue();
      assertThat(since(connected)).isBetween(IDLE, IDLE.plus(LATE));
    }
    assertThat(observer.requests).isEmpty();
  }

  @Test
  void drainLetsAHeadOnItsWayCompleteAndClosesAfterItsResponse() {
    start(Duration.ofSeconds(3), Duration.ofSeconds(3));
    try (TestClient client = net.plain(address);
        HttpTestClient idle = HttpTestClient.connect(net.group(), address, null, null, false)) {
      assertThat(idle.get("web", "/first").status()).isEqualTo(200);
      client.send("GET /during HTTP/1.1\r\n");
      // Read by the gateway by then: it answered a request sent after it.
      settle();
      CompletableFuture<DrainResult> drain = gateway.drain(WAIT).toCompletableFuture();
      // The idle connection closes at once: the drain has reached the connections.
      assertThat(idle.closedWithin(WAIT)).isTrue();
      client.send("host: web\r\n\r\n");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ").contains("web GET /during")
          .contains("connection: close\r\n");
      assertThat(client.closedWithin(WAIT)).isTrue();
      assertThat(Await.get(drain).forced()).isZero();
    }
  }

  @Test
  void pipelinedHeadIsTimedFromTheEndOfTheRequestBeforeIt() {
    start(Duration.ofSeconds(3), HEADERS);
    try (TestClient client = net.plain(address)) {
      // Served for a second longer than the headers timeout: a timer from the second head's first byte would fire
      // meanwhile, and its 408 come before the first response.
      String slow = "/delay/" + HEADERS.plusSeconds(1).toMillis();
      client.send("GET " + slow + " HTTP/1.1\r\nhost: web\r\n\r\n");
      pause(100);
      client.send("GET /second HTTP/1.1\r\nhost: web\r\n");
      String first = response(client);
      long answered = System.nanoTime();
      assertThat(first).startsWith("HTTP/1.1 200 ").contains("web GET " + slow);
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: DPE\r\n");
      // Timed from the first request's end (a moment before the client had its answer): when the client read that
      // answer is no lower bound, only the order of the two responses shows the head was not timed from its first byte.
      assertThat(since(answered)).isLessThan(HEADERS.plus(LATE));
    }
  }

  @Test
  void pipelinedHeadReadWithTheEndOfTheRequestBeforeItIsTimed() {
    start(Duration.ofSeconds(3), HEADERS);
    try (TestClient client = net.plain(address)) {
      // One write: the next head's first byte comes in the same read as the end of the request before it.
      client.send("GET /first HTTP/1.1\r\nhost: web\r\n\r\nG");
      assertThat(response(client)).startsWith("HTTP/1.1 200 ").contains("web GET /first");
      long answered = System.nanoTime();
      String reply = response(client);
      // Untimed, no 408 would come at all.
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: DPE\r\n");
      assertThat(since(answered)).isLessThan(HEADERS.plus(LATE));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
  }

  @Test
  void streamIdleTimeoutBoundsAHeadFromItsFirstByte() {
    Duration idle = Duration.ofSeconds(2);
    start(idle, Duration.ZERO);
    try (TestClient client = net.plain(address)) {
      long first = System.nanoTime();
      client.send("GET /slow HTTP/1.1\r\n");
      pause(1800);
      client.send("host: web\r\n");
      String reply = response(client);
      assertThat(reply).startsWith("HTTP/1.1 408 ").contains("x-meshfed-flags: SI\r\n")
          .contains("x-meshfed-details: stream_idle_timeout\r\n");
      // Timed from the head's first byte: from its last one the 408 would come at 3.8 s.
      assertThat(since(first)).isBetween(idle, Duration.ofMillis(3500));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(web.requests).hasValue(0);
  }

  @Test
  void silentUpstreamGets504OnTheHttp2StreamAndTheConnectionGoesOn() {
    start(IDLE, Duration.ZERO);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      long sent = System.nanoTime();
      HttpTestClient.Response reply = client.get("web", "/silent");
      assertThat(reply.status()).isEqualTo(504);
      assertThat(reply.headers().get("x-meshfed-flags")).isEqualTo("SI");
      assertThat(since(sent)).isBetween(IDLE, IDLE.plus(LATE));
      assertThat(client.get("web", "/next").status()).isEqualTo(200);
    }
    RequestRecord record = observer.request(r -> r.path().equals("/silent"), WAIT);
    assertThat(record.protocol()).isEqualTo("HTTP/2");
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
  }

  @Test
  void upstreamStallingMidResponseResetsTheHttp2Stream() throws InterruptedException {
    start(IDLE, Duration.ZERO);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
      Http2StreamChannel stream = client.openStream(frames(seen));
      long sent = System.nanoTime();
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http")
          .authority("web").path("/stall"), true));
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("200 null");
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("data");
      // A response cut short: CANCEL, not the NO_ERROR that follows a complete one.
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo("reset " + Http2Error.CANCEL.code());
      assertThat(since(sent)).isBetween(IDLE, IDLE.plus(LATE));
      assertThat(client.get("web", "/next").status()).isEqualTo(200);
    }
    RequestRecord record = observer.request(r -> r.path().equals("/stall"), WAIT);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
  }

  @Test
  void requestDataOnAnHttp2StreamStartsTheIdlePeriodAgain() throws InterruptedException {
    Duration idle = Duration.ofSeconds(2);
    start(idle, Duration.ZERO);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
      Http2StreamChannel stream = client.openStream(frames(seen));
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
          .authority("web").path("/upload"), false));
      // A part every half idle timeout (1 s of slack each), for longer than the timeout in all.
      for (int i = 0; i < 3; i++) {
        pause(idle.toMillis() / 2);
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("part;", StandardCharsets.UTF_8),
            i == 2));
      }
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("200 null");
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.responseFlags()).isEmpty();
  }

  @Test
  void stalledRequestBodyGets408AndAResetOnTheHttp2Stream() throws InterruptedException {
    start(IDLE, Duration.ZERO);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
      Http2StreamChannel stream = client.openStream(frames(seen));
      stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
          .authority("web").path("/upload"), false));
      long lastPart = System.nanoTime();
      stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("part one;", StandardCharsets.UTF_8),
          false));
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("408 SI");
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("data");
      assertThat(since(lastPart)).isBetween(IDLE, IDLE.plus(LATE));
      // The rest of the request will not be read: after the complete 408, RST_STREAM NO_ERROR asks the client to stop
      // sending (RFC 9113 section 8.1), and the connection goes on.
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo("reset " + Http2Error.NO_ERROR.code());
      assertThat(client.get("web", "/next").status()).isEqualTo(200);
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(408);
    assertThat(record.responseFlags()).containsExactly(ResponseFlag.SI);
  }

  @Test
  void http2ConnectionWithoutStreamsGetsGoAwayAndClosesAtTheIdleTimeout() {
    start(Duration.ofSeconds(3), Duration.ZERO, IDLE);
    long connecting = System.nanoTime();
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      // Only the preface and SETTINGS: idle from the connection's start.
      assertThat(client.goAway(WAIT)).isEqualTo(Http2Error.NO_ERROR.code());
      assertThat(client.closedWithin(WAIT)).isTrue();
      assertThat(since(connecting)).isBetween(IDLE, IDLE.plus(LATE));
    }
    assertThat(observer.requests).isEmpty();
  }

  @Test
  void http2ConnectionIsIdleFromItsLastStreamsEndAndPingsDoNotKeepIt() {
    start(Duration.ofSeconds(5), Duration.ZERO, IDLE);
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address, null, null, true)) {
      // A stream open for twice the idle timeout: the connection is not idle meanwhile, whatever moves on it.
      long sent = System.nanoTime();
      assertThat(client.get("web", "/delay/" + IDLE.multipliedBy(2).toMillis()).status()).isEqualTo(200);
      long answered = System.nanoTime();
      assertThat(client.goAway(Duration.ZERO)).isNull();
      // PINGs open no stream: they do not keep the connection (Envoy's idle_timeout is about requests, not bytes).
      Long goAway = null;
      while (goAway == null && since(answered).compareTo(WAIT) < 0) {
        client.ping();
        goAway = client.goAway(Duration.ofMillis(250));
      }
      assertThat(goAway).isEqualTo(Http2Error.NO_ERROR.code());
      // The stream closed a moment before the client had its response: the lower bound counts from the request (the
      // stream's two idle timeouts, then the connection's one), so a client thread scheduled late cannot fail it.
      assertThat(since(sent)).isGreaterThanOrEqualTo(IDLE.multipliedBy(3));
      assertThat(since(answered)).isLessThanOrEqualTo(IDLE.plus(LATE));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    RequestRecord record = observer.request(r -> r.path().startsWith("/delay/"), WAIT);
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.responseFlags()).isEmpty();
  }

  /** An HTTP/2 client whose streams' flow-control windows start at 0 and that never opens them. */
  private HttpTestClient clientWithClosedWindows() {
    return HttpTestClient.connectHttp2(net.group(), address, Http2Settings.defaultSettings().initialWindowSize(0));
  }

  @Test
  void http2ResponseWhoseEndTheClientsWindowHoldsIsResetAtTheStreamIdleTimeout() throws InterruptedException {
    start(IDLE, Duration.ZERO);
    try (HttpTestClient client = clientWithClosedWindows()) {
      LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
      Http2StreamChannel stream = client.openStream(frames(seen));
      long sent = System.nanoTime();
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http")
          .authority("web").path("/held"), true));
      // HEADERS are not flow-controlled; the body and the stream's end wait for a window that never opens.
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("200 null");
      long headed = System.nanoTime();
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("reset " + Http2Error.CANCEL.code());
      assertThat(since(sent)).isGreaterThanOrEqualTo(IDLE);
      assertThat(since(headed)).isLessThanOrEqualTo(IDLE.plus(LATE));
    }
  }

  @Test
  void http2LocalReplyBeforeTheRequestsEndWhoseEndTheWindowHoldsIsResetAtTheStreamIdleTimeout()
      throws InterruptedException {
    start(IDLE, Duration.ZERO);
    try (HttpTestClient client = clientWithClosedWindows()) {
      LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
      Http2StreamChannel stream = client.openStream(frames(seen));
      long sent = System.nanoTime();
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
          .authority("web").path("/upload"), false));
      // The stalled upload's 408: its body cannot leave, so the RST_STREAM NO_ERROR meant to follow it never would.
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("408 SI");
      long answered = System.nanoTime();
      assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("reset " + Http2Error.CANCEL.code());
      // The 408 after one stream idle timeout, the reset after another.
      assertThat(since(sent)).isGreaterThanOrEqualTo(IDLE.multipliedBy(2));
      assertThat(since(answered)).isLessThanOrEqualTo(IDLE.plus(LATE));
    }
    RequestRecord record = observer.request(r -> r.path().equals("/upload"), WAIT);
    assertThat(record.status()).isEqualTo(408);
  }
}
