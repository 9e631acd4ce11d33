package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshfed.gateway.l7.config.ApplyResult;
import io.meshfed.gateway.l7.config.ConfigError;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Applying updates: atomic swaps, in-flight requests on their snapshot, NACKs that keep the last good config. */
class ConfigSwapTest extends EngineTestBase {

  private XdsResources config(String cluster, int... ports) {
    return XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", cluster))
        .cluster(Xds.staticCluster(cluster, "127.0.0.1", ports)).build();
  }

  @Test
  void inFlightRequestsFinishOnTheSnapshotTheyStartedWith() throws Exception {
    CompletableFuture<Void> released = new CompletableFuture<>();
    Backend old = backend("old").handler(request -> released.thenRun(() -> vertx.runOnContext(ignored ->
        request.response().end("old"))));
    Backend fresh = backend("new").handler(request -> request.response().end("new"));
    apply(config("blue", old.port()));
    int port = port("l");
    try (Http other = closeLater(new Http(vertx))) {
      Future<Http.Response> inFlight = vertx.executeBlocking(() -> other.get(port, "h", "/"), false);
      Await.until("the request to reach the old backend", java.time.Duration.ofSeconds(5), () -> old.hits() == 1);

      apply(config("green", fresh.port()));
      assertThat(http.get(port, "h", "/").body()).isEqualTo("new");
      released.complete(null);

      assertThat(Await.result(inFlight).body()).isEqualTo("old");
    }
    assertThat(port("l")).as("a listener whose address did not change is not rebound").isEqualTo(port);
  }

  @Test
  void aListenerWarmsUntilItsRouteConfigurationArrives() throws Exception {
    Backend backend = backend("b");
    XdsResources.Builder withoutRoutes = XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port()));

    ApplyResult warming = Await.result(engine.apply(withoutRoutes.build()));
    assertThat(warming.accepted()).isTrue();
    assertThat(engine.port("l")).as("bound before its RDS arrived: it would answer 404 NR").isNull();

    apply(withoutRoutes.route(Xds.catchAll("r", "c")).build());
    assertThat(http.get(port("l"), "h", "/").json().getString("backend")).isEqualTo("b");

    // An update naming a route that has not arrived yet warms too; the serving version keeps serving meanwhile.
    int port = port("l");
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r2")).route(Xds.catchAll("r", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    assertThat(http.get(port, "h", "/").json().getString("backend")).isEqualTo("b");
  }

  @Test
  void aRefusedUpdateKeepsTheLastGoodConfigServing() throws Exception {
    Backend backend = backend("b");
    apply(config("c", backend.port()));
    int port = port("l");
    Cluster unsupported = Xds.staticCluster("c", "127.0.0.1", backend.port()).toBuilder()
        .setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
    Route badRoute = Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(RouteAction.newBuilder()
        .setClusterHeader("x-cluster")).build();

    ApplyResult result = Await.result(engine.apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"), badRoute))).cluster(unsupported).build()));

    assertThat(result.accepted()).isFalse();
    assertThat(result.refused(ConfigError.Kind.CLUSTER)).isTrue();
    assertThat(result.refused(ConfigError.Kind.ROUTE_CONFIGURATION)).isTrue();
    assertThat(result.nackMessage(ConfigError.Kind.CLUSTER)).contains("cluster c: type: cluster type ORIGINAL_DST");
    assertThat(http.get(port, "h", "/").json().getString("backend")).isEqualTo("b");
  }

  @Test
  void swapsEndpointsWithoutRestartingTheCluster() throws Exception {
    Backend first = backend("first");
    Backend second = backend("second");
    XdsResources.Builder base = XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.catchAll("r", "c")).cluster(Xds.edsCluster("c").build());
    apply(base.endpoints(Xds.assignment("c", Xds.endpoint("127.0.0.1", first.port()))).build());
    assertThat(http.get(port("l"), "h", "/").json().getString("backend")).isEqualTo("first");

    apply(base.endpoints(Xds.assignment("c", Xds.endpoint("127.0.0.1", second.port()))).build());

    assertThat(http.get(port("l"), "h", "/").json().getString("backend")).isEqualTo("second");
  }

  @Test
  void removesAListenerNoLongerListed() throws Exception {
    Backend backend = backend("b");
    apply(config("c", backend.port()));
    assertThat(engine.port("l")).isNotNull();

    apply(XdsResources.builder().cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());

    assertThat(engine.port("l")).isNull();
  }

  @Test
  void reportsABindFailureAsAListenerError() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      XdsResources resources = XdsResources.builder().listener(Xds.httpListener("l", "r").toBuilder()
          .setAddress(Xds.address("127.0.0.1", taken.getLocalPort())).build())
          .route(Xds.catchAll("r", "c")).cluster(Xds.staticCluster("c", "127.0.0.1", taken.getLocalPort())).build();

      ApplyResult result = Await.result(engine.apply(resources));

      assertThat(result.errors()).singleElement().extracting(ConfigError::toString).asString()
          .startsWith("listener l: address: cannot bind 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void drainsGracefully() throws Exception {
    Backend backend = backend("b");
    apply(config("c", backend.port()));
    assertThat(engine.ready()).isTrue();

    Future<Void> drained = engine.drain(java.time.Duration.ofMillis(300));
    assertThat(engine.ready()).as("readiness drops at once").isFalse();
    Http.Response during = http.get(port("l"), "h", "/");
    assertThat(during.status()).isEqualTo(200);
    assertThat(during.header("connection")).isEqualTo("close");
    Await.result(drained);
    CompletableFuture<Boolean> refused = new CompletableFuture<>();
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port("l")), 1000);
      refused.complete(false);
    } catch (java.io.IOException e) {
      refused.complete(true);
    }
    assertThat(refused.get(5, TimeUnit.SECONDS)).as("no longer accepting after the drain time").isTrue();
  }
}
