package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.AdsClientState;
import io.meshfed.control.client.xds.Backoff;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResource;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.translate.MeshFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real translation wired into a running control plane (directory mode, real sockets): an Istio Gateway,
 * VirtualService, Service, pods and EndpointSlice in the YAML directory reach an ADS client that connects as an
 * ingress gateway, as LDS/RDS/CDS/EDS; editing a file changes what the gateway holds; problems show on
 * {@code /debug/translation}.
 */
class MeshTranslationControlPlaneTest {

  static final String HOST = "127.0.1.3";
  static final String LISTENER = "0.0.0.0_8080"; // Gateway port 80: Istio's gateways listen on 8080 instead
  static final String ROUTE = "http.8080";
  static final String CLUSTER = "outbound|8000||web.shop.svc.cluster.local";

  Vertx vertx;
  ControlPlane plane;
  AdsClient client;
  Path config;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    config = Files.createDirectories(dir.resolve("istio"));
    write("shop.yaml", service() + endpoints("10.1.0.1"));
    write("gateway.yaml", MeshFixture.EDGE_GATEWAY + virtualService("shop.example.com", "web"));
    Path settingsFile = ControlPlaneFixture.settings(dir, "east", "test-" + UUID.randomUUID(), HOST,
        "source: directory\ndirectory: " + config, null);
    ControlPlaneSettings settings = ControlPlaneSettings.load(settingsFile, Map.of());
    // Groups without gateways are forgotten after 1 s here (10 min by default).
    plane = await(ControlPlane.start(vertx, settings, ControlPlane.Options.meshTranslation("test", settings)
        .withWebhookCertificates(dir.resolve("no-cert-manager")).withIdleGroupTimeout(Duration.ofSeconds(1))));
  }

  @AfterEach
  void stop() {
    if (client != null) {
      await(client.close());
    }
    if (plane != null) {
      await(plane.close());
    }
    await(vertx.close());
  }

  @Test
  void anIngressGatewayGetsTheTranslatedGatewayAndFollowsFileChanges() throws Exception {
    client = ingressClient();
    await(client.start());

    AdsClientState first = awaitState("the first LDS/RDS/CDS/EDS", state ->
        has(state, XdsResourceType.LISTENER, LISTENER) && has(state, XdsResourceType.CLUSTER, CLUSTER)
            && has(state, XdsResourceType.ROUTE, ROUTE) && has(state, XdsResourceType.ENDPOINT, CLUSTER));
    VirtualHost host = virtualHost(first, "shop.example.com");
    assertThat(host.getRoutes(0).getRoute().getCluster()).isEqualTo(CLUSTER);
    assertThat(addresses(first)).containsExactly("10.1.0.1:8000");

    // A pod replaced: EDS follows.
    write("shop.yaml", service() + endpoints("10.1.0.2"));
    AdsClientState moved = awaitState("EDS with the new pod", state -> has(state, XdsResourceType.ENDPOINT, CLUSTER)
        && addresses(state).equals(List.of("10.1.0.2:8000")));
    assertThat(virtualHost(moved, "shop.example.com").getRoutes(0).getRoute().getCluster()).isEqualTo(CLUSTER);

    // The VirtualService renamed its host: RDS follows.
    write("gateway.yaml", MeshFixture.EDGE_GATEWAY + virtualService("store.example.com", "web"));
    awaitState("RDS with the new host", state -> has(state, XdsResourceType.ROUTE, ROUTE)
        && hasDomain(state, "store.example.com") && !hasDomain(state, "shop.example.com"));

    JsonObject report = new JsonObject(ControlPlaneFixture.get(ControlPlaneFixture.adminUrl(plane)
        + "/debug/translation").body());
    assertThat(report.getBoolean("translated")).isTrue();
    assertThat(report.getString("clusterId")).isEqualTo("east");
    assertThat(report.getJsonObject("groups").fieldNames()).contains("east/ingress/istio-ingressgateway");
    assertThat(report.getJsonArray("problems")).isEmpty();
  }

  @Test
  void badInputIsReportedAndTheGatewayKeepsTheLastGoodConfigWhileOtherChangesFlow() throws Exception {
    client = ingressClient();
    await(client.start());
    awaitState("the first RDS and EDS", state -> has(state, XdsResourceType.ROUTE, ROUTE)
        && hasDomain(state, "shop.example.com") && has(state, XdsResourceType.ENDPOINT, CLUSTER));

    // A VirtualService edit with an invalid weight: rejected, the accepted version keeps routing.
    write("gateway.yaml", MeshFixture.EDGE_GATEWAY + virtualService("store.example.com", "web")
        .replace("- destination:", "- weight: -3\n      destination:"));
    ControlPlaneFixture.eventually("the invalid edit reported", () -> plane.config().errors().stream()
        .anyMatch(m -> m.detail().contains("last good version keeps serving")));
    // Then the same file is no longer YAML at all: reported, and nothing it held (the Gateway, the last good
    // VirtualService) is dropped.
    write("gateway.yaml", "apiVersion: networking.istio.io/v1\nkind: [broken\n");
    ControlPlaneFixture.eventually("the broken file reported", () -> plane.config().errors().stream()
        .anyMatch(m -> m.type() == MessageType.INVALID_YAML));

    // A valid change elsewhere still reaches the gateway, next to the last good routes.
    write("shop.yaml", service() + endpoints("10.1.0.2"));
    AdsClientState after = awaitState("EDS with the new pod", state -> has(state, XdsResourceType.ENDPOINT, CLUSTER)
        && addresses(state).equals(List.of("10.1.0.2:8000")));
    assertThat(has(after, XdsResourceType.LISTENER, LISTENER)).isTrue();
    assertThat(hasDomain(after, "shop.example.com")).isTrue();
    assertThat(hasDomain(after, "store.example.com")).isFalse();
    assertThat(virtualHost(after, "shop.example.com").getRoutes(0).getRoute().getCluster()).isEqualTo(CLUSTER);
  }

  @Test
  void aGroupWhoseGatewaysLeftIsForgottenAndServedAgainWhenOneReturns() throws Exception {
    String group = "east/ingress/istio-ingressgateway";
    client = ingressClient();
    await(client.start());
    awaitState("LDS", state -> has(state, XdsResourceType.LISTENER, LISTENER));
    assertThat(plane.xdsServer().snapshots().snapshot(group)).isPresent();

    await(client.close());
    client = null;
    ControlPlaneFixture.eventually("the idle group's snapshot cleared",
        () -> plane.xdsServer().snapshots().snapshot(group).isEmpty());

    client = ingressClient();
    await(client.start());
    awaitState("LDS again", state -> has(state, XdsResourceType.LISTENER, LISTENER)
        && has(state, XdsResourceType.ENDPOINT, CLUSTER));
  }

  @Test
  void aRouteToAnUnknownHostIsReportedOnDebugTranslation() throws Exception {
    write("gateway.yaml", MeshFixture.EDGE_GATEWAY + virtualService("shop.example.com", "nowhere"));
    client = ingressClient();
    await(client.start());
    awaitState("LDS", state -> has(state, XdsResourceType.LISTENER, LISTENER));

    String url = ControlPlaneFixture.adminUrl(plane) + "/debug/translation";
    JsonObject report = new JsonObject(ControlPlaneFixture.awaitGet(url, r -> r.body().contains("unknown-host"))
        .body());
    JsonObject problem = report.getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("code")).isEqualTo("unknown-host");
    assertThat(problem.getString("severity")).isEqualTo("Error");
    assertThat(problem.getString("object")).contains("VirtualService").contains("web");
    assertThat(problem.getString("detail")).contains("nowhere");
  }

  private AdsClient ingressClient() {
    // The node of an Istio-style ingress gateway pod: its labels select the Gateway (selector istio: ingressgateway).
    Node node = NodeIdentity.builder().ip("127.0.1.20").podName("istio-ingressgateway-7d9f-abcde")
        .namespace("istio-system").clusterId("east").network("network-east").role(GatewayRole.INGRESS)
        .meshId("mesh1").build().toNode();
    Struct labels = Struct.newBuilder()
        .putFields("istio", Value.newBuilder().setStringValue("ingressgateway").build())
        .putFields("app", Value.newBuilder().setStringValue("istio-ingressgateway").build()).build();
    node = node.toBuilder().setMetadata(node.getMetadata().toBuilder()
        .putFields("WORKLOAD_NAME", Value.newBuilder().setStringValue("istio-ingressgateway").build())
        .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())).build();
    return AdsClient.builder(vertx)
        .server(SocketAddress.inetSocketAddress(plane.xdsPlaintextPort(), HOST))
        .node(node)
        .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
        .subscribe(XdsResourceType.LISTENER, Set.of(), update -> Verdict.accept())
        .subscribe(XdsResourceType.ROUTE, Set.of(ROUTE), update -> Verdict.accept())
        .subscribe(XdsResourceType.CLUSTER, Set.of(), update -> Verdict.accept())
        .subscribe(XdsResourceType.ENDPOINT, Set.of(CLUSTER), update -> Verdict.accept())
        .build();
  }

  private AdsClientState awaitState(String what, Predicate<AdsClientState> condition) {
    AdsClientState[] last = new AdsClientState[1];
    ControlPlaneFixture.eventually(what, () -> {
      last[0] = await(client.state());
      return condition.test(last[0]);
    });
    return last[0];
  }

  private static boolean has(AdsClientState state, XdsResourceType type, String name) {
    return state.types().get(type).resources().containsKey(name);
  }

  private static Map<String, XdsResource> resources(AdsClientState state, XdsResourceType type) {
    return state.types().get(type).resources();
  }

  private static List<String> addresses(AdsClientState state) {
    ClusterLoadAssignment assignment = (ClusterLoadAssignment) resources(state, XdsResourceType.ENDPOINT).get(CLUSTER)
        .resource();
    return assignment.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
        .map(LbEndpoint::getEndpoint)
        .map(e -> e.getAddress().getSocketAddress().getAddress() + ":" + e.getAddress().getSocketAddress()
            .getPortValue())
        .toList();
  }

  private static boolean hasDomain(AdsClientState state, String domain) {
    RouteConfiguration route = (RouteConfiguration) resources(state, XdsResourceType.ROUTE).get(ROUTE).resource();
    return route.getVirtualHostsList().stream().anyMatch(h -> h.getDomainsList().contains(domain));
  }

  private static VirtualHost virtualHost(AdsClientState state, String domain) {
    RouteConfiguration route = (RouteConfiguration) resources(state, XdsResourceType.ROUTE).get(ROUTE).resource();
    return route.getVirtualHostsList().stream().filter(h -> h.getDomainsList().contains(domain)).findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host for " + domain + " in " + route));
  }

  private void write(String name, String yaml) throws Exception {
    // Write then move: the directory watcher never reads half a file.
    Path temporary = config.resolveSibling(name + ".tmp");
    Files.writeString(temporary, yaml, StandardCharsets.UTF_8);
    Files.move(temporary, config.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String service() {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 8000, targetPort: 8000}
        ---
        """;
  }

  private static String endpoints(String ip) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: shop
          labels: {app: web}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-slice
          namespace: shop
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        ports:
        - {name: http, port: 8000, protocol: TCP}
        endpoints:
        - addresses: ["%s"]
          conditions: {ready: true}
          targetRef: {kind: Pod, name: web-1, namespace: shop}
        ---
        """.formatted(ip);
  }

  private static String virtualService(String host, String destination) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: ["%s"]
          gateways: ["istio-system/edge"]
          http:
          - route:
            - destination: {host: %s}
        """.formatted(host, destination);
  }
}
