package io.meshfed.gateway.l7.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.TestAdsServer;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress gateway as a process, driven by an ADS server serving hand-built resources (east = 127.0.1.x): an HTTP
 * request through the listener reaches the backend by route, cluster and endpoints from ADS; a bad listener update is
 * NACKed naming the field while the previous listener keeps serving.
 */
class L7ProcessTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String LISTENER = "0.0.0.0_8080";
  static final String CLUSTER = "outbound|9080||reviews.default.svc.cluster.local";

  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path logs;
  private Path accessLog;
  private TestAdsServer ads;
  private Backend backend;
  private L7Process gateway;

  @BeforeEach
  void serve() throws Exception {
    accessLog = logs.resolve("access.log");
    backend = Backend.start(vertx, "reviews-v1", "127.0.1.11");
    ads = new TestAdsServer("127.0.1.1");
    ads.set("1", List.of(Xds.edsCluster(CLUSTER).build()));
    ads.set("1", List.of(Xds.assignment(CLUSTER, Xds.endpoint("127.0.1.11", backend.port()))));
    ads.set("1", List.of(listener()));
    ads.set("1", List.of(Xds.catchAll("http.8080", CLUSTER)));
    ads.set(XdsResourceType.SECRET.typeUrl(), "1", List.of());
  }

  private static Listener listener() {
    return Xds.httpListener(LISTENER, "http.8080").toBuilder().setAddress(Xds.address("0.0.0.0", 8080)).build();
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    ads.close();
    backend.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private GatewaySettings settings(GatewayRole role) {
    return GatewaySettings.builder(role).clusterId("east").label("istio", "ingressgateway")
        .xdsAddress("127.0.1.1", ads.port()).protocol(AdsClient.Protocol.STATE_OF_THE_WORLD)
        .bindHost("127.0.1.1").healthPort(0).metricsPort(0).admin("127.0.1.1", 0)
        .listener(LISTENER, "127.0.1.1", 0).drainTimeout(Duration.ofSeconds(1))
        .accessLog(accessLog.toString(), "", 1.0)
        .build();
  }

  private L7Process start(GatewaySettings settings) throws Exception {
    return L7Process.start(vertx, settings).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get() throws Exception {
    return get(gateway.port(LISTENER).orElseThrow(), "/reviews/1");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
        URI.create("http://127.0.1.1:" + port + path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpRequestReachesTheBackendThroughTheConfigFromAds() throws Exception {
    gateway = start(settings(GatewayRole.INGRESS));
    Await.until("the listener bound", WAIT, () -> gateway.port(LISTENER).isPresent());

    HttpResponse<String> response = get();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("backend")).isEqualTo("reviews-v1");
    assertThat(new JsonObject(response.body()).getString("uri")).isEqualTo("/reviews/1");

    DiscoveryRequest first = ads.firstRequests().get(0);
    assertThat(first.getNode().getMetadata().getFieldsOrThrow("ROLE").getStringValue()).isEqualTo("ingress");
    assertThat(first.getNode().getMetadata().getFieldsOrThrow("WORKLOAD_NAME").getStringValue())
        .isEqualTo("meshfed-ingressgateway");
    assertThat(first.getNode().getMetadata().getFieldsOrThrow("LABELS").getStructValue()
        .getFieldsOrThrow("istio").getStringValue()).isEqualTo("ingressgateway");
    int health = gateway.process().runtime().healthPort();
    Await.until("ready", WAIT, () -> status(health) == 200);
    // The request's outcome reached the access log (a JSON line) and the admin /requestz ring.
    Await.until("the access-log line", WAIT, () -> read(accessLog).contains("/reviews/1"));
    assertThat(read(accessLog)).contains(CLUSTER);
    assertThat(get(gateway.process().runtime().adminPort(), "/requestz").body()).contains("/reviews/1");
  }

  @Test
  void badListenerIsNackedNamingTheFieldAndTheLastGoodListenerKeepsServing() throws Exception {
    gateway = start(settings(GatewayRole.INGRESS));
    Await.until("LDS 1 answered", WAIT, () -> ads.answer(XdsResourceType.LISTENER.typeUrl(), "1") != null);
    assertThat(ads.answer(XdsResourceType.LISTENER.typeUrl(), "1").nack()).isFalse();
    // LDS arrives before RDS: the listener warms until its route configuration is in.
    Await.until("the listener bound", WAIT, () -> gateway.port(LISTENER).isPresent());
    assertThat(get().statusCode()).isEqualTo(200);

    Listener bad = listener().toBuilder().addFilterChains(FilterChain.newBuilder()
        .addFilters(io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder()
            .setName("envoy.filters.network.redis_proxy")
            .setTypedConfig(com.google.protobuf.Any.pack(com.google.protobuf.Empty.getDefaultInstance()))))
        .build();
    ads.set("2", List.of(bad));

    Await.until("LDS 2 answered", WAIT, () -> ads.answer(XdsResourceType.LISTENER.typeUrl(), "2") != null);
    TestAdsServer.Answer nack = ads.answer(XdsResourceType.LISTENER.typeUrl(), "2");
    assertThat(nack.nack()).isTrue();
    assertThat(nack.error()).contains("listener 0.0.0.0_8080").contains("filter_chains[1]");
    assertThat(get().statusCode()).isEqualTo(200);

    // A later route change is applied on top of the listener that still serves, not the refused one.
    ads.set("2", List.of(Xds.catchAll("http.8080", "outbound|9080||missing.default.svc.cluster.local")));
    Await.until("RDS 2 answered", WAIT, () -> ads.answer(XdsResourceType.ROUTE.typeUrl(), "2") != null);
    assertThat(ads.answer(XdsResourceType.ROUTE.typeUrl(), "2").nack()).isFalse();
    HttpResponse<String> noCluster = get();
    assertThat(noCluster.statusCode()).isEqualTo(503);
    assertThat(noCluster.headers().firstValue("x-meshfed-flags")).hasValue("NC");
  }

  @Test
  void anEastWestRoleIsRefusedNamingTheField() {
    Throwable failure = catchThrowable(() -> start(settings(GatewayRole.EASTWEST)));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(GatewaySettingsException.class)
        .hasMessageContaining("role: eastwest (expected: ingress or egress");
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static int status(int port) {
    try {
      return get(port, "/healthz/ready").statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
