package io.meshfed.gateway.eastwest.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.TestAdsServer;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The east-west gateway as a process, driven by an ADS server serving hand-built resources (west = 127.0.2.x): an
 * Istio client's mTLS with Istio SNI reaches the backend through :15443; a bad listener update is NACKed naming the
 * field while the previous configuration keeps serving.
 */
class EastWestProcessTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final List<String> ISTIO_ALPN = List.of("istio-peer-exchange", "istio");
  static final String LISTENER = "0.0.0.0_15443";

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path logs;
  private Path accessLog;
  private TestAdsServer ads;
  private TestNet.EchoServer backend;
  private EastWestProcess gateway;

  @BeforeEach
  void serve() {
    accessLog = logs.resolve("access.log");
    backend = net.tlsEcho("127.0.2.11", mesh.issue("spiffe://cluster.local/ns/default/sa/reviews"), mesh, ISTIO_ALPN,
        "reviews-v1:");
    ads = new TestAdsServer("127.0.2.1");
    ads.set("1", List.of(Xds.eds(SNI)));
    ads.set("1", List.of(Xds.endpoints(SNI, backend.address())));
    ads.set("1", List.of(Xds.listener(15443, Xds.passthrough(SNI))));
    ads.set(XdsResourceType.ROUTE.typeUrl(), "1", List.of());
    ads.set(XdsResourceType.SECRET.typeUrl(), "1", List.of());
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close().toCompletionStage().toCompletableFuture().get();
    }
    ads.close();
    backend.close();
    net.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private GatewaySettings settings() {
    return GatewaySettings.builder(GatewayRole.EASTWEST).clusterId("west").network("network-west")
        .label("istio", "eastwestgateway").locality("us-west1", "us-west1-a", "")
        .xdsAddress("127.0.2.1", ads.port()).protocol(AdsClient.Protocol.STATE_OF_THE_WORLD)
        .bindHost("127.0.2.1").healthPort(0).metricsPort(0).admin("127.0.2.1", 0)
        .listener(LISTENER, "127.0.2.1", 0).drainTimeout(Duration.ofSeconds(1))
        .accessLog(accessLog.toString(), "", 1.0)
        .build();
  }

  private EastWestProcess start(GatewaySettings settings) throws Exception {
    return EastWestProcess.start(vertx, settings).toCompletionStage().toCompletableFuture().get(20,
        java.util.concurrent.TimeUnit.SECONDS);
  }

  private String roundTrip(InetSocketAddress address) {
    try (TestClient client = net.istio(address, SNI, ISTIO_ALPN,
        mesh.issue("spiffe://cluster.local/ns/default/sa/productpage"), mesh)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      return client.roundTrip("hello", "reviews-v1:".length(), WAIT);
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.2.1:" + port + path))
        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void istioSniConnectionReachesTheBackendThroughTheConfigFromAds() throws Exception {
    gateway = start(settings());
    assertThat(Await.until(WAIT, () -> gateway.boundAddress(LISTENER).isPresent())).isTrue();

    assertThat(roundTrip(gateway.boundAddress(LISTENER).orElseThrow())).isEqualTo("reviews-v1:hello");
    assertThat(backend.serverNames).contains(SNI);

    // The node carries what the translation groups by (docs/translation.md, "Gateway groups").
    DiscoveryRequest first = ads.firstRequests().get(0);
    Struct metadata = first.getNode().getMetadata();
    assertThat(metadata.getFieldsOrThrow("ROLE").getStringValue()).isEqualTo("eastwest");
    assertThat(metadata.getFieldsOrThrow("CLUSTER_ID").getStringValue()).isEqualTo("west");
    assertThat(metadata.getFieldsOrThrow("NETWORK").getStringValue()).isEqualTo("network-west");
    assertThat(metadata.getFieldsOrThrow("WORKLOAD_NAME").getStringValue()).isEqualTo("meshfed-eastwestgateway");
    assertThat(metadata.getFieldsOrThrow("NAMESPACE").getStringValue()).isEqualTo("meshfed-system");
    assertThat(metadata.getFieldsOrThrow("LABELS").getStructValue().getFieldsOrThrow("istio").getStringValue())
        .isEqualTo("eastwestgateway");
    assertThat(first.getNode().getLocality().getZone()).isEqualTo("us-west1-a");

    int health = gateway.process().runtime().healthPort();
    assertThat(Await.until(WAIT, () -> status(health, "/healthz/ready") == 200)).isTrue();
    HttpResponse<String> dump = get(gateway.process().runtime().adminPort(), "/config_dump");
    assertThat(dump.body()).contains(LISTENER).contains(SNI);
    // The connection's record reached the access log (a JSON line) once the client closed.
    assertThat(Await.until(WAIT, () -> read(accessLog).contains(SNI))).isTrue();
    assertThat(read(accessLog)).contains(backend.address().getPort() + "");
  }

  @Test
  void badListenerIsNackedNamingTheFieldAndTheLastGoodConfigKeepsServing() throws Exception {
    gateway = start(settings());
    assertThat(Await.until(WAIT, () -> ads.answer(XdsResourceType.LISTENER.typeUrl(), "1") != null)).isTrue();
    assertThat(ads.answer(XdsResourceType.LISTENER.typeUrl(), "1").nack()).isFalse();
    InetSocketAddress address = gateway.boundAddress(LISTENER).orElseThrow();

    Listener bad = Xds.listener(15443, Xds.passthrough(SNI)).toBuilder()
        .addFilterChains(Xds.passthrough(SNI).toBuilder().clearFilters()
            .addFilters(Xds.filter("envoy.filters.network.redis_proxy", com.google.protobuf.Empty.getDefaultInstance())))
        .build();
    ads.set("2", List.of(bad));

    assertThat(Await.until(WAIT, () -> ads.answer(XdsResourceType.LISTENER.typeUrl(), "2") != null)).isTrue();
    TestAdsServer.Answer nack = ads.answer(XdsResourceType.LISTENER.typeUrl(), "2");
    assertThat(nack.nack()).isTrue();
    assertThat(nack.error()).contains("listener 0.0.0.0_15443").contains("filter_chains[1]");
    assertThat(roundTrip(address)).isEqualTo("reviews-v1:hello");
    assertThat(get(gateway.process().runtime().adminPort(), "/config_dump").body()).contains("filter_chains[1]");

    // A good version after the bad one is taken.
    ads.set("3", List.of(Xds.listener(15443, Xds.passthrough(SNI))));
    assertThat(Await.until(WAIT, () -> ads.answer(XdsResourceType.LISTENER.typeUrl(), "3") != null)).isTrue();
    assertThat(ads.answer(XdsResourceType.LISTENER.typeUrl(), "3").nack()).isFalse();
  }

  @Test
  void drainFailsReadinessAndClosesTheListener() throws Exception {
    gateway = start(settings());
    assertThat(Await.until(WAIT, () -> gateway.boundAddress(LISTENER).isPresent())).isTrue();
    int health = gateway.process().runtime().healthPort();
    assertThat(Await.until(WAIT, () -> status(health, "/healthz/ready") == 200)).isTrue();
    InetSocketAddress address = gateway.boundAddress(LISTENER).orElseThrow();

    gateway.drain("test").toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(status(health, "/healthz/ready")).isEqualTo(503);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
      try (java.net.Socket socket = new java.net.Socket(address.getAddress(), address.getPort())) {
        socket.getInputStream().read();
      }
    })).as("new connections are refused").isInstanceOf(java.io.IOException.class);
  }

  @Test
  void anIngressRoleIsRefusedNamingTheField() {
    GatewaySettings ingress = GatewaySettings.builder(GatewayRole.INGRESS).clusterId("west")
        .xdsAddress("127.0.2.1", ads.port()).build();
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> start(ingress));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(GatewaySettingsException.class)
        .hasMessageContaining("role: ingress (expected: eastwest");
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
