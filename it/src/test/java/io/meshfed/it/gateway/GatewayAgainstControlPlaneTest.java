package io.meshfed.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.ca.BootstrapTokens;
import io.meshfed.control.plane.runtime.ControlPlane;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.gateway.l7.process.L7Process;
import io.meshfed.it.FreePorts;
import io.meshfed.trust.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingress gateway process against a real control plane (directory mode, local CA) on 127.0.1.x: it gets its SVID
 * from the CA service with a bootstrap token, speaks ADS over mTLS on :15012, and serves what the control plane's
 * translation step produced for its group ({@code east/ingress}): hand-built resources from a stand-in translation,
 * then the mesh translation of Istio config (also a CUSTOM AuthorizationPolicy asking the external authorizer the
 * settings define); and a gateway started while its control plane is down waits for it.
 */
class GatewayAgainstControlPlaneTest {

  private static final String HOST = "127.0.1.1";
  private static final String CLUSTER = "outbound|9080||reviews.default.svc.cluster.local";

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private ControlPlane plane;
  private L7Process gateway;
  private HttpServer backend;
  private HttpServer authorizer;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      await(gateway.close());
    }
    if (plane != null) {
      await(plane.close());
    }
    if (backend != null) {
      await(backend.close());
    }
    if (authorizer != null) {
      await(authorizer.close());
    }
    await(vertx.close());
  }

  @Test
  void ingressGatewayGetsItsCertificateAndConfigFromTheControlPlaneAndServesTraffic() throws Exception {
    backend = await(vertx.createHttpServer().requestHandler(request -> request.response().end("reviews-v1"))
        .listen(0, "127.0.1.11"));
    Files.createDirectories(dir.resolve("config"));
    Path settingsFile = controlPlaneFile(0);
    Snapshot snapshot = Snapshot.builder()
        .add(XdsResourceType.CLUSTER, Cluster.newBuilder().setName(CLUSTER).setType(Cluster.DiscoveryType.EDS)
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(2))
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads())).build())
        .add(XdsResourceType.ENDPOINT, ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(address("127.0.1.11", backend.actualPort())))))
            .build())
        .add(XdsResourceType.LISTENER, listener())
        .add(XdsResourceType.ROUTE, RouteConfiguration.newBuilder().setName("http.8080")
            .addVirtualHosts(VirtualHost.newBuilder().setName("reviews").addDomains("*")
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setRoute(RouteAction.newBuilder().setCluster(CLUSTER))))
            .build())
        .build();
    plane = await(ControlPlane.start(vertx, ControlPlaneSettings.load(settingsFile, Map.of()),
        ControlPlane.Options.of("test", (state, groups) -> groups.contains("east/ingress")
            ? Map.of("east/ingress", snapshot) : Map.of())));

    SpiffeId identity = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");
    String token = BootstrapTokens.issue(plane.settings().dataDir(), identity);
    GatewaySettings settings = GatewaySettings.builder(GatewayRole.INGRESS).clusterId("east")
        .xdsAddress(HOST, plane.xdsTlsPort()).caCertFile(plane.rootCertificateFile()).token(token)
        .bindHost(HOST).healthPort(0).metricsPort(0).admin(HOST, 0).listener("0.0.0.0_8080", HOST, 0)
        .build();
    gateway = await(L7Process.start(vertx, settings));

    assertThat(gateway.process().svid().orElseThrow().spiffeId()).isEqualTo(identity);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (gateway.port("0.0.0.0_8080").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    HttpResponse<String> response = get(gateway.port("0.0.0.0_8080").orElseThrow(), "/reviews/1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("reviews-v1");

    HttpResponse<String> ready = get(gateway.process().runtime().healthPort(), "/healthz/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    // The control plane lists the gateway's mTLS stream (what `meshfed proxy-status` shows).
    assertThat(await(plane.proxyStatuses())).anySatisfy(status -> {
      assertThat(status.clusterId()).isEqualTo("east");
      assertThat(status.tls()).isTrue();
    });
  }

  @Test
  void ingressGatewayServesWhatTheMeshTranslationMadeOfIstioConfig() throws Exception {
    backend = await(vertx.createHttpServer().requestHandler(request -> request.response()
        .end("web-1 " + request.getHeader("host"))).listen(0, "127.0.1.11"));
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("shop.yaml"), shop(backend.actualPort()));
    ControlPlaneSettings planeSettings = ControlPlaneSettings.load(controlPlaneFile(0), Map.of());
    plane = await(ControlPlane.start(vertx, planeSettings, translation(planeSettings)));

    gateway = await(L7Process.start(vertx, ingressSettings(plane)));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String answer = "";
    while (!answer.contains("web-1") && System.nanoTime() < deadline) {
      answer = gateway.port("0.0.0.0_8080").map(port -> rawGet(port, "shop.example.com", "/", "")).orElse("");
      if (!answer.contains("web-1")) {
        Thread.sleep(50);
      }
    }
    assertThat(answer).startsWith("HTTP/1.1 200").contains("web-1 shop.example.com");
    assertThat(rawGet(gateway.port("0.0.0.0_8080").orElseThrow(), "other.example.com", "/", ""))
        .startsWith("HTTP/1.1 404");
  }

  /**
   * Istio's External Authorization task through meshfed: the control plane's settings define the provider
   * ({@code meshConfig.extensionProviders[].envoyExtAuthzHttp}), a CUSTOM AuthorizationPolicy on the ingress gateway
   * names it, and the gateway asks the authorizer (a Service in the mesh) for the requests the policy's rules match.
   */
  @Test
  void customPolicyAsksTheExtensionProviderFromTheSettings() throws Exception {
    backend = await(vertx.createHttpServer().requestHandler(request -> request.response()
        .end("web-1 user=" + request.getHeader("x-auth-user"))).listen(0, "127.0.1.11"));
    java.util.List<String> checked = new java.util.concurrent.CopyOnWriteArrayList<>();
    // As Istio's sample ext-authz server: allows a request carrying "x-ext-authz: allow", denies the rest.
    authorizer = await(vertx.createHttpServer().requestHandler(request -> {
      checked.add(request.uri());
      if ("allow".equals(request.getHeader("x-ext-authz"))) {
        request.response().putHeader("x-auth-user", "alice").end();
      } else {
        request.response().setStatusCode(403).putHeader("x-ext-authz-check-result", "denied")
            .end("denied by ext_authz");
      }
    }).listen(0, "127.0.1.12"));
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("shop.yaml"), shop(backend.actualPort()));
    Files.writeString(config.resolve("authz.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: ext-authz, namespace: authz}
        spec:
          selector: {app: ext-authz}
          ports:
          - {name: http, port: 8000, targetPort: %d}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ext-authz-1, namespace: authz, labels: {app: ext-authz}}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: ext-authz-slice
          namespace: authz
          labels: {kubernetes.io/service-name: ext-authz}
        addressType: IPv4
        ports:
        - {name: http, port: %d, protocol: TCP}
        endpoints:
        - addresses: ["127.0.1.12"]
          conditions: {ready: true}
          targetRef: {kind: Pod, name: ext-authz-1, namespace: authz}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext-authz, namespace: meshfed-system}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          action: CUSTOM
          provider: {name: sample-ext-authz}
          rules:
          - to: [{operation: {paths: ["/api/*"]}}]
        """.formatted(authorizer.actualPort(), authorizer.actualPort()));
    ControlPlaneSettings planeSettings = ControlPlaneSettings.load(controlPlaneFile(0, """
        meshConfig:
          extensionProviders:
          - name: sample-ext-authz
            envoyExtAuthzHttp:
              service: ext-authz.authz.svc.cluster.local
              port: 8000
              pathPrefix: /check
              includeRequestHeadersInCheck: [x-ext-authz]
              headersToUpstreamOnAllow: [x-auth-user]
              timeout: 5s
        """), Map.of());
    plane = await(ControlPlane.start(vertx, planeSettings, translation(planeSettings)));

    gateway = await(L7Process.start(vertx, ingressSettings(plane)));

    String allow = "x-ext-authz: allow\r\n";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String allowed = "";
    while (!allowed.contains("web-1") && System.nanoTime() < deadline) {
      allowed = gateway.port("0.0.0.0_8080").map(port -> rawGet(port, "shop.example.com", "/api/orders", allow))
          .orElse("");
      if (!allowed.contains("web-1")) {
        Thread.sleep(50);
      }
    }
    int port = gateway.port("0.0.0.0_8080").orElseThrow();
    // Allowed: the backend answers, with the header the authorizer added (headersToUpstreamOnAllow).
    assertThat(allowed).startsWith("HTTP/1.1 200").contains("web-1 user=alice");
    assertThat(checked).contains("/check/api/orders");

    // Denied: the authorizer's status and body, flagged UAEX.
    String denied = rawGet(port, "shop.example.com", "/api/orders", "x-ext-authz: deny\r\n");
    assertThat(denied).startsWith("HTTP/1.1 403").containsIgnoringCase("x-meshfed-flags: UAEX")
        .containsIgnoringCase("x-ext-authz-check-result: denied").contains("denied by ext_authz");
    assertThat(rawGet(port, "shop.example.com", "/api/orders", "")).startsWith("HTTP/1.1 403").containsIgnoringCase(
        "x-meshfed-flags: UAEX");

    // A path the policy's rules do not match is not sent to the authorizer.
    int asked = checked.size();
    assertThat(rawGet(port, "shop.example.com", "/public", "")).startsWith("HTTP/1.1 200")
        .contains("web-1 user=null");
    assertThat(checked).hasSize(asked);
  }

  /** Service web (shop) with one pod on 127.0.1.11:{@code port}, behind the ingress Gateway meshfed-system/edge. */
  private static String shop(int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 8000, targetPort: %d}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop, labels: {app: web}}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-slice
          namespace: shop
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        ports:
        - {name: http, port: %d, protocol: TCP}
        endpoints:
        - addresses: ["127.0.1.11"]
          conditions: {ready: true}
          targetRef: {kind: Pod, name: web-1, namespace: shop}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: meshfed-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: ["shop.example.com"]
          gateways: ["meshfed-system/edge"]
          http:
          - route:
            - destination: {host: web}
        """.formatted(port, port);
  }

  /** One HTTP/1.1 request with the given Host, over a plain socket (the JDK client cannot set Host). */
  /** The ingress gateway of cluster east, with a bootstrap token of {@code plane}'s, its HTTP listener on any port. */
  private static GatewaySettings ingressSettings(ControlPlane plane) {
    SpiffeId identity = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");
    return GatewaySettings.builder(GatewayRole.INGRESS).clusterId("east")
        .network("network-east").label("istio", "ingressgateway")
        .xdsAddress(HOST, plane.xdsTlsPort()).caCertFile(plane.rootCertificateFile())
        .token(BootstrapTokens.issue(plane.settings().dataDir(), identity))
        .bindHost(HOST).healthPort(0).metricsPort(0).admin(HOST, 0).listener("0.0.0.0_8080", HOST, 0)
        .build();
  }

  /** The raw HTTP/1.1 response to a GET, or "" while the gateway does not accept connections yet (for polling). */
  private static String rawGet(int port, String host, String path, String headers) {
    try (java.net.Socket socket = new java.net.Socket(HOST, port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
          + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void gatewayStartedWhileItsControlPlaneIsDownWaitsForTheCaThenBecomesReady() throws Exception {
    Files.createDirectories(dir.resolve("config"));
    ControlPlaneSettings planeSettings = ControlPlaneSettings.load(controlPlaneFile(FreePorts.on(HOST)), Map.of());
    // A first run writes the mesh root and the bootstrap key the gateway is installed with; then the plane is down.
    ControlPlane first = await(ControlPlane.start(vertx, planeSettings, translation(planeSettings)));
    SpiffeId identity = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");
    GatewaySettings settings = GatewaySettings.builder(GatewayRole.INGRESS).clusterId("east")
        .network("network-east").label("istio", "ingressgateway")
        .xdsAddress(HOST, first.xdsTlsPort()).caCertFile(first.rootCertificateFile())
        .token(BootstrapTokens.issue(first.settings().dataDir(), identity))
        .bindHost(HOST).healthPort(0).metricsPort(0).admin(HOST, 0).build();
    await(first.close());

    Future<L7Process> starting = L7Process.start(vertx, settings);
    // Past the first CSR attempt (made right after the health server is up): a gateway that gave up would have
    // failed by now; this one keeps asking with backoff.
    Thread.sleep(1500);
    assertThat(starting.failed()).as(String.valueOf(starting.cause())).isFalse();
    assertThat(starting.isComplete()).isFalse();

    plane = await(ControlPlane.start(vertx, planeSettings, translation(planeSettings)));
    gateway = await(starting);
    assertThat(gateway.process().svid().orElseThrow().spiffeId()).isEqualTo(identity);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int readyCode = 0;
    while (readyCode != 200 && System.nanoTime() < deadline) {
      readyCode = get(gateway.process().runtime().healthPort(), "/healthz/ready").statusCode();
      if (readyCode != 200) {
        Thread.sleep(50);
      }
    }
    assertThat(readyCode).isEqualTo(200);
  }

  private ControlPlane.Options translation(ControlPlaneSettings planeSettings) {
    return ControlPlane.Options.meshTranslation("test", planeSettings)
        .withWebhookCertificates(dir.resolve("no-cert-manager"));
  }

  /** East's control-plane settings; {@code tlsPort} 0 picks a free port. */
  private Path controlPlaneFile(int tlsPort) throws Exception {
    return controlPlaneFile(tlsPort, "");
  }

  /** East's control-plane settings with {@code extra} YAML appended. */
  private Path controlPlaneFile(int tlsPort, String extra) throws Exception {
    Path settingsFile = dir.resolve("east-mesh.yaml");
    Files.writeString(settingsFile, """
        meshId: mesh1
        clusterId: east
        network: network-east
        trustDomain: cluster.local
        systemNamespace: meshfed-system
        dataDir: %s
        config:
          source: directory
          directory: %s
        xds:
          plaintextAddress: %s:0
          tlsAddress: %s:%d
          debounceAfter: 10ms
          debounceMax: 1s
        admin:
          address: %s:0
        webhook:
          address: ""
        federation:
          relayPort: %d
          hazelcastPort: %d
          remoteSecretTimeout: 1s
        """.formatted(dir.resolve("data"), dir.resolve("config"), HOST, HOST, tlsPort, HOST, FreePorts.on(HOST),
        FreePorts.on("127.0.0.1")) + extra);
    return settingsFile;
  }

  private static Listener listener() {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("http.8080")
        .setRds(Rds.newBuilder().setRouteConfigName("http.8080").setConfigSource(ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName("0.0.0.0_8080").setAddress(address("0.0.0.0", 8080))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  private static Address address(String host, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
