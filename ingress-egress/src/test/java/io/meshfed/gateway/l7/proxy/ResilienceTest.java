package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.RawHttp;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Timeouts, retries, fault injection, mirroring, circuit breaking and outlier detection, end to end. */
class ResilienceTest extends EngineTestBase {

  private static final HttpFilter FAULT = HttpFilter.newBuilder().setName("envoy.filters.http.fault")
      .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build();

  private int serve(Route route, Cluster... clusters) throws Exception {
    XdsResources.Builder resources = XdsResources.builder()
        .listener(Xds.httpListener("l", Xds.hcm("r", FAULT).build()))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"), route)));
    for (Cluster cluster : clusters) {
      resources.cluster(cluster);
    }
    apply(resources.build());
    return port("l");
  }

  private static Route route(RouteAction.Builder action) {
    return Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(action).build();
  }

  private static int unusedPort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void answers504WithFlagUtWhenTheRouteTimeoutExpires() throws Exception {
    Backend slow = backend("slow").handler(request -> vertx.setTimer(2000, id -> request.response().end("late")));
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.millis(200))),
        Xds.staticCluster("c", "127.0.0.1", slow.port()));

    long start = System.nanoTime();
    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(504);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("UT");
    assertThat(response.body()).isEqualTo("upstream request timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
  }

  /** A backend answering paths under /slow with "late" after {@code millis}, and others at once with "quick". */
  private Backend slowAndQuick(long millis) throws Exception {
    return backend("slow-and-quick").handler(request -> {
      if (request.path().startsWith("/slow")) {
        vertx.setTimer(millis, id -> request.response().end("late"));
      } else {
        request.response().end("quick");
      }
    });
  }

  @Test
  void aShorterRouteTimeoutAfterALongerOneOnTheSameConnectionStillExpiresOnTime() throws Exception {
    Backend backend = slowAndQuick(2000);
    Route patient = Route.newBuilder().setMatch(Xds.prefix("/fast")).setRoute(RouteAction.newBuilder()
        .setCluster("c").setTimeout(Xds.seconds(30))).build();
    Route hasty = Route.newBuilder().setMatch(Xds.prefix("/slow")).setRoute(RouteAction.newBuilder()
        .setCluster("c").setTimeout(Xds.millis(200))).build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", Xds.hcm("r", FAULT).build()))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"), patient, hasty)))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());

    // The kept-alive connection's deadline timer is armed for the first request's 30 s; the second needs it sooner.
    assertThat(http.get(port("l"), "h", "/fast").status()).isEqualTo(200);
    long start = System.nanoTime();
    Http.Response response = http.get(port("l"), "h", "/slow");

    assertThat(response.status()).isEqualTo(504);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("UT");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
  }

  /** A route to {@code backend} timed only by a 300 ms stream idle timeout; returns its port. */
  private int serveWithIdleTimeout(Backend backend) throws Exception {
    return serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(0))
            .setIdleTimeout(Xds.millis(300))),
        Xds.staticCluster("c", "127.0.0.1", backend.port()));
  }

  private Backend silent() throws Exception {
    return backend("silent").handler(request -> {
      // Never answers.
    });
  }

  @Test
  void answers504WithFlagSiWhenTheUpstreamIsIdleTooLongAfterTheWholeRequest() throws Exception {
    int port = serveWithIdleTimeout(slowAndQuick(1200));

    try (RawHttp raw = new RawHttp(port)) {
      String first = raw.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n").readAll(1000);

      // Envoy answers 504 once the request is complete (408 only while it is still arriving).
      assertThat(RawHttp.status(first)).as(first).isEqualTo(504);
      assertThat(RawHttp.header(first, "x-meshfed-flags")).isEqualTo("SI");
      assertThat(RawHttp.header(first, "x-meshfed-details")).isEqualTo("stream_idle_timeout");
      // The connection carries on, and the upstream's late answer (due at 1.2 s, read until 1.3 s) is not on it.
      assertThat(RawHttp.header(first, "connection")).isNull();
      assertThat(first).doesNotContain("late");
      String second = raw.send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n").readAll(1000);
      assertThat(RawHttp.status(second)).as(second).isEqualTo(200);
      assertThat(second).endsWith("quick").doesNotContain("late");
    }
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("SI");
  }

  @Test
  void answers408WithFlagSiAndClosesWhenTheRequestBodyStalls() throws Exception {
    int port = serveWithIdleTimeout(silent());

    try (RawHttp raw = new RawHttp(port)) {
      raw.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhalf!");
      String response = raw.readAll(3000);

      assertThat(RawHttp.status(response)).as(response).isEqualTo(408);
      assertThat(RawHttp.header(response, "x-meshfed-flags")).isEqualTo("SI");
      assertThat(RawHttp.header(response, "connection")).as("the rest of the body will not be read")
          .isEqualTo("close");
      assertThat(raw.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void answers408WithFlagSiThenResetsAnHttp2StreamWhoseBodyStalls() throws Exception {
    int port = serveWithIdleTimeout(silent());
    HttpClient h2c = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    CompletableFuture<HttpClientResponse> response = new CompletableFuture<>();
    CompletableFuture<Throwable> failure = new CompletableFuture<>();

    HttpClientRequest request = Await.result(h2c.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("h").setPort(port).setURI("/")));
    request.exceptionHandler(failure::complete);
    request.response().onSuccess(response::complete);
    request.putHeader("content-length", "10").write("half!");

    assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(408);
    assertThat(response.get().getHeader("x-meshfed-flags")).isEqualTo("SI");
    // The rest of the body will not be read: the stream is reset, not left half open.
    assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(StreamResetException.class);
    Await.result(h2c.close());
  }

  @Test
  void retriesFiveHundredsWithBackoffUntilOneSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Backend flaky = backend("flaky").handler(request -> request.response()
        .setStatusCode(calls.incrementAndGet() <= 2 ? 503 : 200).end("call " + calls.get()));
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx").setNumRetries(Xds.u32(3)))),
        Xds.staticCluster("c", "127.0.0.1", flaky.port()));

    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("call 3");
    assertThat(outcomes.nth(1).attempts()).isEqualTo(3);
  }

  @Test
  void answersTheLastUpstreamErrorWithUrxWhenRetriesRunOut() throws Exception {
    Backend failing = backend("failing").handler(request -> request.response().setStatusCode(503).end("down"));
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("gateway-error").setNumRetries(Xds.u32(2)))),
        Xds.staticCluster("c", "127.0.0.1", failing.port()));

    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("down");
    assertThat(response.header("x-meshfed-flags")).isEqualTo("URX");
    assertThat(failing.hits()).isEqualTo(3);
  }

  @Test
  void retriesConnectFailuresOntoAnotherHost() throws Exception {
    Backend good = backend("good");
    int dead = unusedPort();
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("connect-failure").setNumRetries(Xds.u32(2))
                .addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
                    .setName("envoy.retry_host_predicates.previous_hosts")))),
        Xds.staticCluster("c", "127.0.0.1", dead, good.port()));

    for (int i = 0; i < 6; i++) {
      assertThat(http.get(port, "h", "/").status()).isEqualTo(200);
    }
  }

  @Test
  void answers503WithUfWhenNoHostCanBeReached() throws Exception {
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("connect-failure").setNumRetries(Xds.u32(1)))),
        Xds.staticCluster("c", "127.0.0.1", unusedPort()));

    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("UF,URX");
    assertThat(response.body()).startsWith("upstream connect error or disconnect/reset before headers. reset "
        + "reason: connection failure");
  }

  @Test
  void retriesPerTryTimeoutsWithinTheRouteTimeout() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Backend sometimesSlow = backend("slow").handler(request -> {
      if (calls.incrementAndGet() == 1) {
        vertx.setTimer(3000, id -> request.response().end("late"));
      } else {
        request.response().end("fast");
      }
    });
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(2))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx").setNumRetries(Xds.u32(2))
                .setPerTryTimeout(Xds.millis(200)))),
        Xds.staticCluster("c", "127.0.0.1", sometimesSlow.port()));

    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("fast");
  }

  @Test
  void theRouteTimeoutCapsRetries() throws Exception {
    Backend slow = backend("slow").handler(request -> vertx.setTimer(3000, id -> request.response().end("late")));
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.millis(500))
            .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx").setNumRetries(Xds.u32(10))
                .setPerTryTimeout(Xds.millis(200)))),
        Xds.staticCluster("c", "127.0.0.1", slow.port()));

    long start = System.nanoTime();
    Http.Response response = http.get(port, "h", "/");

    assertThat(response.status()).isEqualTo(504);
    assertThat(response.header("x-meshfed-flags")).contains("UT");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    assertThat(slow.hits()).isBetween(2, 3);
  }

  @Test
  void injectsDelaysAndAbortsByPercentage() throws Exception {
    Backend backend = backend("b");
    HTTPFault abortAll = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(500)
        .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
    HTTPFault delayAll = HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(Xds.millis(300))
        .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
    HTTPFault abortNone = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(500)
        .setPercentage(FractionalPercent.newBuilder().setNumerator(0))).build();
    Route abort = Xds.route(Xds.prefix("/abort"), "c").toBuilder()
        .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(abortAll)).build();
    Route delay = Xds.route(Xds.prefix("/delay"), "c").toBuilder()
        .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(delayAll)).build();
    Route never = Xds.route(Xds.prefix("/"), "c").toBuilder()
        .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(abortNone)).build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", Xds.hcm("r", FAULT).build()))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"), abort, delay, never)))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    int port = port("l");

    Http.Response aborted = http.get(port, "h", "/abort");
    assertThat(aborted.status()).isEqualTo(500);
    assertThat(aborted.header("x-meshfed-flags")).isEqualTo("FI");
    long start = System.nanoTime();
    Http.Response delayed = http.get(port, "h", "/delay");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    assertThat(delayed.status()).isEqualTo(200);
    assertThat(delayed.header("x-meshfed-flags")).isEqualTo("DI");
    assertThat(http.get(port, "h", "/other").status()).isEqualTo(200);
    assertThat(backend.hits()).isEqualTo(2);
  }

  @Test
  void mirrorsRequestsFireAndForgetToTheShadowHost() throws Exception {
    Backend primary = backend("primary");
    Backend shadow = backend("shadow").handler(request -> {
      // The shadow is slow and failing: the client must not notice.
      request.body().onSuccess(body -> vertx.setTimer(500, id -> request.response().setStatusCode(500)
          .end()));
    });
    RouteAction.Builder action = RouteAction.newBuilder().setCluster("primary")
        .addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder().setCluster("shadow")
            .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(FractionalPercent.newBuilder()
                .setNumerator(100))));
    int port = serve(route(action), Xds.staticCluster("primary", "127.0.0.1", primary.port()),
        Xds.staticCluster("shadow", "127.0.0.1", shadow.port()));
    List<String> shadowHosts = new ArrayList<>();
    shadow.handler(request -> {
      shadowHosts.add(request.getHeader("host") + " " + request.method() + " " + request.uri());
      request.body().onSuccess(body -> {
        shadowHosts.add("body=" + body);
        request.response().setStatusCode(500).end();
      });
    });

    long start = System.nanoTime();
    Http.Response response = http.send(HttpMethod.POST, port, "reviews:9080", "/reviews/1", "payload");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getString("backend")).isEqualTo("primary");
    io.meshfed.gateway.l7.testing.Await.until("the shadow request", Duration.ofSeconds(5),
        () -> shadowHosts.size() == 2);
    assertThat(shadowHosts).containsExactly("reviews-shadow:9080 POST /reviews/1", "body=payload");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void overflowsImmediatelyWith503UoWhenTheConnectionPoolIsFull() throws Exception {
    Backend slow = backend("slow").handler(request -> vertx.setTimer(800, id -> request.response().end("ok")));
    Cluster cluster = Xds.staticCluster("c", "127.0.0.1", slow.port()).toBuilder()
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
            .setMaxConnections(Xds.u32(1)).setMaxPendingRequests(Xds.u32(1)).setMaxRequests(Xds.u32(1)))).build();
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))), cluster);
    try (Http parallel = closeLater(new Http(vertx))) {
      List<Future<Http.Response>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(vertx.executeBlocking(() -> parallel.get(port, "h", "/"), false));
      }
      List<Integer> statuses = new ArrayList<>();
      List<String> flags = new ArrayList<>();
      for (Future<Http.Response> future : inFlight) {
        Http.Response response = Await.result(future);
        statuses.add(response.status());
        if (response.status() == 503) {
          flags.add(response.header("x-meshfed-flags"));
        }
      }
      assertThat(statuses).contains(200).contains(503);
      assertThat(flags).containsOnly("UO");
    }
  }

  @Test
  void ejectsAnOutlierAndSendsTrafficToHealthyHosts() throws Exception {
    Backend healthy = backend("healthy");
    Backend broken = backend("broken").handler(request -> request.response().setStatusCode(500).end());
    Cluster cluster = Xds.staticCluster("c", "127.0.0.1", healthy.port(), broken.port()).toBuilder()
        .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(Xds.u32(3))
            .setInterval(Xds.seconds(10)).setBaseEjectionTime(Xds.seconds(30)).setMaxEjectionPercent(Xds.u32(50)))
        .build();
    int port = serve(route(RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5))), cluster);

    for (int i = 0; i < 12; i++) {
      http.get(port, "h", "/");
    }
    int brokenBefore = broken.hits();
    for (int i = 0; i < 20; i++) {
      assertThat(http.get(port, "h", "/").status()).isEqualTo(200);
    }
    assertThat(brokenBefore).isGreaterThanOrEqualTo(3);
    assertThat(broken.hits()).as("ejected: no more traffic").isEqualTo(brokenBefore);
  }
}
