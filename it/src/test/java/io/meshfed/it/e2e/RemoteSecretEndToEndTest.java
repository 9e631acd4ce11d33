package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.gateway.GatewaySettingsReader;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.plane.runtime.ControlPlane;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.meshfed.federation.remote.RemoteSecrets;
import io.meshfed.it.FreePorts;
import io.meshfed.it.kube.MockKubernetesCluster;
import io.meshfed.launcher.GatewayRoles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's primary-remote model (istio.io, "Install Primary-Remote": the primary's control plane reads the remote
 * cluster's API server through a remote Secret): a running primary control plane, configured from its own
 * Kubernetes API (fabric8's mock server), with an ingress gateway bound to an Istio Gateway + VirtualService that
 * routes {@code /ratings} to a service only the remote cluster runs. Creating the remote Secret in the primary's API
 * makes the remote's endpoints appear in the ingress's EDS and requests reach the remote backend, without
 * restarting anything; deleting it withdraws them.
 *
 * <p>First both clusters are on one network ({@code network1}, named on the Secret with {@code meshfed.io/network},
 * no {@code meshfed.io/gateways}): as in Istio's "Install Primary-Remote" (same network), the remote's pod IPs are
 * reached directly, not through an east-west gateway. Then, as in "Install Primary-Remote on different networks",
 * the Secret names another network and the remote's east-west gateway, and the ingress's EDS carries that gateway.
 */
class RemoteSecretEndToEndTest {

  static final String PRIMARY = "127.0.111.";
  static final String REMOTE = "127.0.112.";
  static final String NETWORK = "network1";
  static final String SYSTEM = "meshfed-system";
  static final String BACKEND = REMOTE + "10";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  MockKubernetesCluster primary;
  MockKubernetesCluster remote;
  ControlPlane plane;
  GatewayProcess ingress;

  @AfterEach
  void stop() {
    if (ingress != null) {
      await(ingress.close());
    }
    if (plane != null) {
      await(plane.close());
    }
    if (primary != null) {
      primary.close();
    }
    if (remote != null) {
      remote.close();
    }
    await(vertx.close());
  }

  @Test
  void aRemoteSecretCreatedInARunningPrimaryMakesTheRemoteServiceRoutableAndItsDeletionWithdrawsIt()
      throws Exception {
    String admin = startPrimaryWithIngress();
    String ingressUrl = "http://" + PRIMARY + "2:18111/ratings";
    String gatewayDump = "http://" + PRIMARY + "2:15000/config_dump?include_eds";
    // Before the Secret: the route exists (the VirtualService is served) but the service has no endpoint.
    HttpResponse<String> before = awaitGet(ingressUrl, r -> r.statusCode() == 503 || r.statusCode() == 404,
        "the ingress serving its routes, /ratings without endpoints");
    assertThat(before.headers().firstValue("x-meshfed-served-by")).isEmpty();
    assertThat(get(gatewayDump).body()).doesNotContain(BACKEND);

    // Register the remote cluster while everything runs.
    primary.client().secrets().inNamespace(SYSTEM).resource(remoteSecret(remote.kubeconfig(), NETWORK, null))
        .create();

    HttpResponse<String> served = awaitGet(ingressUrl, r -> r.statusCode() == 200,
        "a request through the primary's ingress reaching the remote backend");
    assertThat(served.headers().firstValue("x-meshfed-served-by")).hasValue("remote/ratings/v1");
    assertThat(served.body()).isEqualTo("remote ratings\n");
    // The endpoint is the remote pod itself (one network: no east-west gateway in between).
    assertThat(get(gatewayDump).body()).contains("\"" + BACKEND + "\"");
    String planeDump = admin + "/debug/config_dump?gateway=" + proxyName(admin);
    assertThat(get(planeDump).body()).contains(BACKEND);
    assertThat(get(admin + "/debug/clusterz").body()).contains("\"remote\"");

    // Unregister it: the endpoints are withdrawn from the translation and the ingress stops routing there.
    primary.client().secrets().inNamespace(SYSTEM).withName("istio-remote-secret-remote").delete();
    HttpResponse<String> after = awaitGet(ingressUrl, r -> r.statusCode() == 503 || r.statusCode() == 404,
        "the remote endpoints withdrawn after the Secret's deletion");
    assertThat(after.headers().firstValue("x-meshfed-served-by")).isEmpty();
    awaitGet(gatewayDump, r -> !r.body().contains(BACKEND), "the ingress's EDS without the remote endpoint");
    assertThat(get(planeDump).body()).doesNotContain(BACKEND);
  }

  /**
   * Istio's primary-remote on different networks: the Secret names the remote's network and its east-west gateway
   * ({@code meshfed.io/network}, {@code meshfed.io/gateways}); the primary's ingress then gets, as Istio's
   * split-horizon EDS gives, the remote's gateway address (port 15443) weighted by its healthy endpoints, never
   * the remote pod IP, which is not reachable from another network.
   */
  @Test
  void onAnotherNetworkTheRemoteServiceIsReachedThroughTheGatewayItsSecretNames() throws Exception {
    String admin = startPrimaryWithIngress();
    String remoteGateway = REMOTE + "2";
    primary.client().secrets().inNamespace(SYSTEM).resource(remoteSecret(remote.kubeconfig(), "network2",
        remoteGateway + ":15443")).create();
    String gatewayDump = "http://" + PRIMARY + "2:15000/config_dump?include_eds";
    HttpResponse<String> dump = awaitGet(gatewayDump, r -> r.body().contains("\"" + remoteGateway + "\""),
        "the remote's east-west gateway in the ingress's EDS");
    assertThat(dump.body()).contains("15443").doesNotContain(BACKEND);
    assertThat(get(admin + "/debug/config_dump?gateway=" + proxyName(admin)).body()).contains(remoteGateway)
        .doesNotContain(BACKEND);
  }

  /**
   * The remote cluster's API server (ratings, exported) and backend, then the primary's API server, control plane
   * (Kubernetes mode) and ingress gateway, all running before any remote Secret exists; returns the primary's
   * admin URL.
   */
  private String startPrimaryWithIngress() throws Exception {
    HttpServer backend = await(vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("x-meshfed-served-by", "remote/ratings/v1").end("remote ratings\n")).listen(9080, BACKEND));
    assertThat(backend.actualPort()).isEqualTo(9080);

    remote = MockKubernetesCluster.start("remote", InetAddress.getByName(REMOTE + "1"));
    apply(remote.client(), remoteRatings());

    primary = MockKubernetesCluster.start("primary", InetAddress.getByName(PRIMARY + "1"));
    apply(primary.client(), primaryIngressConfig());
    Path kubeconfig = dir.resolve("primary.kubeconfig");
    Files.writeString(kubeconfig, primary.kubeconfig());
    ControlPlaneSettings settings = ControlPlaneSettings.load(writeControlPlaneSettings(kubeconfig), Map.of());
    plane = await(ControlPlane.start(vertx, settings, ControlPlane.Options.meshTranslation("e2e", settings)));
    String admin = "http://" + PRIMARY + "3:" + plane.adminPort();
    awaitGet(admin + "/ready", r -> r.statusCode() == 200, "the primary control plane ready");

    ingress = await(GatewayRoles.start(vertx, GatewaySettingsReader.read(GatewayRole.INGRESS,
        writeIngressSettings(), Map.of())));
    return admin;
  }

  /** The ingress's proxy name as the control plane's {@code /debug/syncz} lists it. */
  private static String proxyName(String admin) throws Exception {
    io.vertx.core.json.JsonArray proxies = new io.vertx.core.json.JsonObject(get(admin + "/debug/syncz").body())
        .getJsonArray("proxies");
    assertThat(proxies).hasSize(1);
    return proxies.getJsonObject(0).getString("name");
  }

  // ------------------------------------------------------------------ the clusters

  /** The remote cluster runs ratings (one pod, the test's backend) and exports it (MCS). */
  private static String remoteRatings() {
    return """
        apiVersion: v1
        kind: Namespace
        metadata: {name: default}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ratings, namespace: default, labels: {app: ratings}}
        spec:
          selector: {app: ratings}
          ports:
          - {name: http, port: 9080, targetPort: 9080, protocol: TCP}
        ---
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: ratings, namespace: default}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ratings-v1, namespace: default, labels: {app: ratings, version: v1}}
        spec:
          containers:
          - {name: ratings, image: meshfed/sample, ports: [{containerPort: 9080}]}
        status: {phase: Running, podIP: %1$s, podIPs: [{ip: %1$s}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: ratings-remote, namespace: default, labels: {kubernetes.io/service-name: ratings}}
        addressType: IPv4
        ports:
        - {name: http, port: 9080, protocol: TCP}
        endpoints:
        - addresses: [%1$s]
          conditions: {ready: true}
          targetRef: {kind: Pod, name: ratings-v1, namespace: default}
        """.formatted(BACKEND);
  }

  /** The primary runs no ratings: only the ingress Gateway and a route to ratings. */
  private static String primaryIngressConfig() {
    return """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: default}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: ingressgateway, namespace: %1$s}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 18111, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings-ingress, namespace: default}
        spec:
          hosts: ["*"]
          gateways: [%1$s/ingressgateway]
          http:
          - match: [{uri: {prefix: /ratings}}]
            route:
            - destination: {host: ratings.default.svc.cluster.local, port: {number: 9080}}
        """.formatted(SYSTEM);
  }

  /**
   * The Secret {@code meshfed create-remote-secret --name remote --network N [--gateways G]} prints (both label
   * sets, both cluster annotations, the kubeconfig under the cluster id).
   */
  private static Secret remoteSecret(String kubeconfig, String network, String gateways) {
    SecretBuilder secret = new SecretBuilder().withNewMetadata().withName("istio-remote-secret-remote")
        .withNamespace(SYSTEM)
        .addToLabels(RemoteSecrets.ISTIO_LABEL, "true").addToLabels(RemoteSecrets.LABEL, "true")
        .addToAnnotations(RemoteSecrets.ISTIO_CLUSTER_ANNOTATION, "remote")
        .addToAnnotations(RemoteSecrets.CLUSTER_ANNOTATION, "remote")
        .addToAnnotations(RemoteSecrets.NETWORK_ANNOTATION, network)
        .endMetadata().addToStringData("remote", kubeconfig);
    if (gateways != null) {
      secret.editMetadata().addToAnnotations(RemoteSecrets.GATEWAYS_ANNOTATION, gateways).endMetadata();
    }
    return secret.build();
  }

  private Path writeControlPlaneSettings(Path kubeconfig) throws Exception {
    String yaml = """
        meshId: e2e-%1$s
        clusterId: primary
        network: %2$s
        trustDomain: cluster.local
        systemNamespace: %3$s
        dataDir: %4$s
        config:
          source: kubernetes
          kubeconfig: %5$s
        ca:
          mode: local
        federation:
          relayPort: %6$d
          hazelcastPort: %7$d
          remoteSecretTimeout: 5s
        xds:
          plaintextAddress: %8$s3:0
          tlsAddress: %8$s3:0
          debounceAfter: 50ms
          debounceMax: 1s
        admin:
          address: %8$s3:0
        webhook:
          address: ""
        """.formatted(UUID.randomUUID(), NETWORK, SYSTEM, dir.resolve("data"), kubeconfig,
        FreePorts.on(PRIMARY + "3"), FreePorts.on("127.0.0.1"), PRIMARY);
    Path file = dir.resolve("control-plane.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  /** The ingress gateway authenticates to the CA with its projected service-account token (audience meshfed-ca). */
  private Path writeIngressSettings() throws Exception {
    Path token = dir.resolve("ingress.token");
    Files.writeString(token, primary.serviceAccountToken(SYSTEM, "meshfed-ingressgateway", "meshfed-ca"));
    String yaml = """
        name: meshfed-ingressgateway
        namespace: %1$s
        clusterId: primary
        network: %2$s
        serviceAccount: meshfed-ingressgateway
        trustDomain: cluster.local
        labels: {istio: ingressgateway}
        podIp: %3$s2
        xds:
          address: %3$s3:%4$d
          caCertFile: %5$s
          tokenFile: %6$s
        ports:
          bindHost: %3$s2
          health: 15021
          metrics: 15090
          admin: %3$s2:15000
        listenerHost: %3$s2
        drainTimeout: 1s
        """.formatted(SYSTEM, NETWORK, PRIMARY, plane.xdsTlsPort(), plane.rootCertificateFile(), token);
    Path file = dir.resolve("ingress-gateway.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  // ------------------------------------------------------------------ helpers

  private static void apply(KubernetesClient client, String yaml) {
    for (HasMetadata object : client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
      if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource custom) {
        // Istio's kinds and the MCS ServiceExport: no typed handler, so name the resource (plural) explicitly.
        String[] groupVersion = custom.getApiVersion().split("/");
        var context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
            .withGroup(groupVersion[0]).withVersion(groupVersion[1]).withKind(custom.getKind())
            .withPlural(custom.getKind().toLowerCase(java.util.Locale.ROOT) + "s").withNamespaced(true).build();
        client.genericKubernetesResources(context).inNamespace(custom.getMetadata().getNamespace()).resource(custom)
            .create();
      } else {
        client.resource(object).create();
      }
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until the answer satisfies {@code condition}; fails after 45 s naming what was awaited and the last answer. */
  static HttpResponse<String> awaitGet(String url, Predicate<HttpResponse<String>> condition, String what)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    String last = "nothing";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = get(url);
        if (condition.test(response)) {
          return response;
        }
        last = response.statusCode() + " " + abbreviate(response.body());
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + ": not within 45 s (" + url + ", last answer: " + last + ")");
  }

  private static String abbreviate(String body) {
    return body.length() > 400 ? body.substring(0, 400) + "..." : body;
  }
}
