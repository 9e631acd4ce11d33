package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DynamicMessage;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.ca.CaClient;
import io.meshfed.control.client.ca.CaClientException;
import io.meshfed.control.client.ca.CaCredential;
import io.meshfed.control.client.ca.IstioCaProtocol;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.AdsClientState;
import io.meshfed.control.client.xds.Backoff;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.ResourceConsumer;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.ca.BootstrapTokens;
import io.meshfed.control.plane.cli.ProxyConfigCommand;
import io.meshfed.control.plane.cli.ProxyStatusCommand;
import io.meshfed.control.plane.istio.IstioSamples;
import io.meshfed.control.plane.xds.ProxyStatus;
import io.meshfed.control.plane.xds.SyncState;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The control plane in the embedded (directory) mode, over real sockets: Istio's bookinfo from a directory, the
 * local CA, bootstrap tokens for a gateway's first certificate, ADS over :15012 with that SVID, the admin API, the
 * webhook, and proxy-status / proxy-config against it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryModeControlPlaneTest {

  static final String HOST = "127.0.1.1";
  static final SpiffeId INGRESS = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");

  Path dir;
  Vertx vertx;
  ControlPlane plane;
  String admin;

  @BeforeAll
  void start(@TempDir Path temporary) throws Exception {
    dir = temporary;
    vertx = Vertx.vertx();
    Path config = Files.createDirectories(dir.resolve("istio"));
    Files.copy(IstioSamples.file("bookinfo/bookinfo.yaml"), config.resolve("bookinfo.yaml"));
    Files.copy(IstioSamples.file("bookinfo/networking/bookinfo-gateway.yaml"), config.resolve("gateway.yaml"));
    Files.copy(IstioSamples.file("bookinfo/networking/destination-rule-all.yaml"), config.resolve("dr.yaml"));
    Path settings = ControlPlaneFixture.settings(dir, "east", "test-" + UUID.randomUUID(), HOST,
        "source: directory\ndirectory: " + config, null);
    plane = ControlPlaneFixture.start(vertx, settings, Map.of(), dir.resolve("no-cert-manager"));
    admin = ControlPlaneFixture.adminUrl(plane);
    ControlPlaneFixture.awaitGet(admin + "/ready", r -> r.statusCode() == 200);
  }

  @AfterAll
  void stop() {
    if (plane != null) {
      await(plane.close());
    }
    await(vertx.close());
  }

  private Svid bootstrapSvid(SpiffeId identity) throws Exception {
    String token = BootstrapTokens.issue(plane.settings().dataDir(), identity);
    return await(ControlPlaneFixture.caClient(vertx, plane).issue(identity, CaCredential.token(token), null));
  }

  @Test
  void readyOnceConfigFederationAndCaAreUpAndPublishesTheRoot() throws Exception {
    HttpResponse<String> ready = ControlPlaneFixture.get(admin + "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready");
    assertThat(Files.readString(plane.rootCertificateFile())).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(ControlPlaneFixture.get(admin + "/healthz").body()).isEqualTo("ok\n");
  }

  @Test
  void bootstrapTokenBuysAFirstSvidAndTheSvidRenewsItself() throws Exception {
    Svid first = bootstrapSvid(INGRESS);
    assertThat(first.spiffeId()).isEqualTo(INGRESS);
    assertThat(first.chain()).hasSizeGreaterThanOrEqualTo(2);
    Svid renewed = await(ControlPlaneFixture.caClient(vertx, plane).issue(INGRESS, CaCredential.svid(first),
        Duration.ofHours(1)));
    assertThat(renewed.spiffeId()).isEqualTo(INGRESS);
    assertThat(renewed.serial()).isNotEqualTo(first.serial());
    assertThat(Duration.between(renewed.notBefore(), renewed.notAfter())).isLessThanOrEqualTo(Duration.ofMinutes(61));
  }

  @Test
  void aCsrForAnotherIdentityThanTheTokenIsRefused() {
    String token = BootstrapTokens.issue(plane.settings().dataDir(), INGRESS);
    SpiffeId other = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-egressgateway");
    assertThatThrownBy(() -> await(ControlPlaneFixture.caClient(vertx, plane).issue(other, CaCredential.token(token),
        null)))
        .cause().isInstanceOfSatisfying(CaClientException.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
          assertThat(e.getMessage()).contains("meshfed-ingressgateway").contains("meshfed-egressgateway");
        });
  }

  @Test
  void anUnknownTokenIsUnauthenticated() {
    assertThatThrownBy(() -> await(ControlPlaneFixture.caClient(vertx, plane).issue(INGRESS,
        CaCredential.token("not-a-token"), null)))
        .cause().isInstanceOfSatisfying(CaClientException.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
          assertThat(e.getMessage()).contains("token not recognised").doesNotContain("not-a-token");
        });
  }

  @Test
  void aMalformedCsrIsAnInvalidArgument() throws Exception {
    String token = BootstrapTokens.issue(plane.settings().dataDir(), INGRESS);
    String root = Files.readString(plane.rootCertificateFile());
    GrpcClient grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setVerifyHost(false).setTrustOptions(new PemTrustOptions()
            .addCertValue(Buffer.buffer(root))));
    try {
      var response = await(grpc.request(SocketAddress.inetSocketAddress(plane.xdsTlsPort(), HOST),
          IstioCaProtocol.CLIENT_METHOD).compose(request -> {
            request.headers().set("authorization", "Bearer " + token);
            return request.send(IstioCaProtocol.request("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                + "-----END CERTIFICATE REQUEST-----\n", 0, null));
          }));
      await(response.end().recover(e -> io.vertx.core.Future.succeededFuture()));
      assertThat(response.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
      assertThat(response.statusMessage()).contains("csr: not a PKCS#10 certification request");
    } finally {
      await(grpc.close());
    }
  }

  private AdsClient adsClient(Svid svid, String namespace, List<XdsResourceType> seen) {
    return adsClient(svid, namespace, "meshfed-ingressgateway-1", update -> {
      seen.add(XdsResourceType.CLUSTER);
      return Verdict.accept();
    });
  }

  private AdsClient adsClient(Svid svid, String namespace, String podName, ResourceConsumer clusters) {
    Node node = NodeIdentity.builder().ip("127.0.1.20").podName(podName).namespace(namespace)
        .clusterId("east").network("network-east").role(GatewayRole.INGRESS).meshId("mesh1").build().toNode();
    return AdsClient.builder(vertx)
        .server(SocketAddress.inetSocketAddress(plane.xdsTlsPort(), HOST))
        .ssl(new ClientSSLOptions().setHostnameVerificationAlgorithm("")
            .setKeyCertOptions(new PemKeyCertOptions().setKeyValue(Buffer.buffer(svid.privateKeyPem()))
                .setCertValue(Buffer.buffer(svid.chainPem())))
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(svid.bundle().rootsPem()))))
        .node(node)
        .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
        .subscribe(XdsResourceType.CLUSTER, Set.of(), clusters)
        .build();
  }

  @Test
  void aGatewayWithItsSvidGetsXdsOver15012AndIsListedInSyncz() throws Exception {
    Svid svid = bootstrapSvid(INGRESS);
    List<XdsResourceType> seen = new CopyOnWriteArrayList<>();
    AdsClient client = adsClient(svid, "meshfed-system", seen);
    await(client.start());
    try {
      ControlPlaneFixture.eventually("CDS accepted", () -> {
        AdsClientState state = await(client.state());
        return state.types().get(XdsResourceType.CLUSTER).resources()
            .containsKey("outbound|9080||reviews.default.svc.cluster.local");
      });
      ControlPlaneFixture.eventually("SYNCED in syncz", () -> await(plane.xdsServer().status().proxyStatuses())
          .stream().anyMatch(p -> p.type(XdsResourceType.CLUSTER).state() == SyncState.SYNCED));

      JsonObject syncz = new JsonObject(ControlPlaneFixture.get(admin + "/debug/syncz").body());
      JsonObject proxy = syncz.getJsonArray("proxies").getJsonObject(0);
      assertThat(proxy.getString("name")).isEqualTo("meshfed-ingressgateway-1.meshfed-system");
      assertThat(proxy.getString("role")).isEqualTo("ingress");
      assertThat(proxy.getBoolean("tls")).isTrue();
      assertThat(proxy.getJsonObject("types").getJsonObject("CDS").getString("state")).isEqualTo("SYNCED");
      assertThat(proxy.getJsonObject("types").getJsonObject("LDS").getString("state")).isEqualTo("NOT SENT");

      HttpResponse<String> dump = ControlPlaneFixture.get(admin
          + "/debug/config_dump?gateway=meshfed-ingressgateway-1.meshfed-system");
      assertThat(dump.statusCode()).isEqualTo(200);
      assertThat(dump.body()).contains("envoy.admin.v3.ClustersConfigDump")
          .contains("outbound|9080||reviews.default.svc.cluster.local");

      assertThat(ControlPlaneFixture.get(admin + "/metrics").body()).contains("pilot_xds ")
          .contains("pilot_xds_pushes_total").contains("meshfed_ca_requests_total")
          .contains("meshfed_federation_catalog_entries");

      String status = run(new ProxyStatusCommand(), "--control-plane", admin);
      assertThat(status).contains("NAME", "CLUSTER", "ROLE", "CDS", "CONTROL PLANE")
          .contains("meshfed-ingressgateway-1.meshfed-system").contains("SYNCED").contains("NOT SENT");
      assertThat(run(new ProxyStatusCommand(), "--control-plane", admin, "-o", "json"))
          .contains("\"controlPlane\" : \"east\"");

      // The gateway's own admin is not running here: proxy-config falls back to what the control plane sends.
      String clusters = run(new ProxyConfigCommand(), "meshfed-ingressgateway-1.meshfed-system", "clusters",
          "--control-plane", admin, "--admin-port", "1");
      assertThat(clusters).contains("SERVICE FQDN").contains("reviews.default.svc.cluster.local")
          .contains("9080").contains("OUTBOUND");
    } finally {
      await(client.close());
    }
  }

  /** The sum of a metric's samples over all its labels (0 when it has none). */
  private double metric(String name) throws Exception {
    return ControlPlaneFixture.get(admin + "/metrics").body().lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aRejectedConfigIsStaleWithTheGatewaysReasonInSynczAndProxyStatusAndIsNotSentAgain() throws Exception {
    Svid svid = bootstrapSvid(INGRESS);
    List<String> offered = new CopyOnWriteArrayList<>();
    AdsClient client = adsClient(svid, "meshfed-system", "meshfed-ingressgateway-nack", update -> {
      offered.add(update.version());
      return Verdict.reject("cluster outbound|9080||reviews: unsupported lb_policy");
    });
    double rejectsBefore = metric("pilot_total_xds_rejects_total");
    await(client.start());
    try {
      ControlPlaneFixture.eventually("NACK in syncz", () -> ControlPlaneFixture.get(admin + "/debug/syncz").body()
          .contains("\"lastNack\""));
      JsonObject cds = gateway(new JsonObject(ControlPlaneFixture.get(admin + "/debug/syncz").body()),
          "meshfed-ingressgateway-nack.meshfed-system").getJsonObject("types").getJsonObject("CDS");
      assertThat(cds.getString("state")).isEqualTo("STALE");
      assertThat(cds.getString("ackedVersion")).isEmpty();
      JsonObject nack = cds.getJsonObject("lastNack");
      assertThat(nack.getString("version")).isEqualTo(cds.getString("sentVersion"));
      assertThat(nack.getString("nonce")).isEqualTo(cds.getString("sentNonce"));
      assertThat(nack.getString("message")).isEqualTo("cluster outbound|9080||reviews: unsupported lb_policy");

      assertThat(run(new ProxyStatusCommand(), "--control-plane", admin)).containsPattern(
          "meshfed-ingressgateway-nack\\.meshfed-system .*STALE \\(NACK: cluster outbound\\|9080\\|\\|reviews: "
          + "unsupported lb_policy\\)");
      assertThat(metric("pilot_total_xds_rejects_total")).isGreaterThan(rejectsBefore);
      // The rejected version is not pushed again: only a newer one would be.
      Thread.sleep(500);
      assertThat(offered).filteredOn(nack.getString("version")::equals).hasSize(1);
    } finally {
      await(client.close());
    }
  }

  private static JsonObject gateway(JsonObject syncz, String name) {
    return syncz.getJsonArray("proxies").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("name").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + syncz.encode()));
  }

  @Test
  void aCertificateOfAnotherNamespaceCannotSpeakForTheNode() throws Exception {
    SpiffeId other = SpiffeId.of("cluster.local", "default", "sleep");
    Svid svid = bootstrapSvid(other);
    List<XdsResourceType> seen = new CopyOnWriteArrayList<>();
    AdsClient client = adsClient(svid, "meshfed-system", seen);
    client.start();
    try {
      ControlPlaneFixture.eventually("refusal counted", () -> ControlPlaneFixture.get(admin + "/metrics").body()
          .lines().anyMatch(l -> l.startsWith("meshfed_xds_refused_streams_total") && !l.endsWith(" 0.0")));
      assertThat(await(plane.xdsServer().status().proxyStatuses()))
          .noneMatch(p -> p.proxyName().equals("meshfed-ingressgateway-1.meshfed-system"));
      assertThat(seen).isEmpty();
    } finally {
      await(client.close());
    }
  }

  @Test
  void configzListsRejectedObjectsWithTheAnalyzersFields() throws Exception {
    JsonObject configz = new JsonObject(ControlPlaneFixture.get(admin + "/debug/configz").body());
    assertThat(configz.getString("clusterId")).isEqualTo("east");
    assertThat(configz.getLong("version")).isPositive();
    assertThat(configz.getJsonArray("messages")).isNotNull();
    JsonObject clusterz = new JsonObject(ControlPlaneFixture.get(admin + "/debug/clusterz").body());
    assertThat(clusterz.getString("clusterId")).isEqualTo("east");
    assertThat(clusterz.getJsonArray("clusters").getJsonObject(0).getString("health")).isEqualTo("LIVE");
    assertThat(clusterz.getJsonArray("clusters").getJsonObject(0).getString("adminUrl")).isEqualTo(admin);
  }

  @Test
  void webhookAdmitsValidAndRejectsInvalidObjectsWithTheAnalyzersMessage() throws Exception {
    String root = Files.readString(dir.resolve("data-east").resolve("webhook").resolve("ca-cert.pem"));
    // The certificate names meshfed-control-plane.meshfed-system.svc; here it is reached by IP, so only the chain
    // to the webhook CA (what caBundle holds) is checked.
    var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(root))));
    try {
      JsonObject valid = review("""
          {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews","namespace":"default"},
           "spec":{"hosts":["reviews"],"http":[{"route":[{"destination":{"host":"reviews","subset":"v1"}}]}]}}""");
      JsonObject invalid = review("""
          {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews","namespace":"default"},
           "spec":{"hosts":["reviews"],"http":[{"route":[{"destination":{"host":"reviews"},"weight":-5}]}]}}""");
      JsonObject allowed = post(client, valid);
      assertThat(allowed.getJsonObject("response").getBoolean("allowed")).isTrue();
      assertThat(allowed.getJsonObject("response").getString("uid")).isEqualTo("uid-1");
      JsonObject denied = post(client, invalid);
      assertThat(denied.getJsonObject("response").getBoolean("allowed")).isFalse();
      String message = denied.getJsonObject("response").getJsonObject("status").getString("message");
      assertThat(message).contains("[MF0005]").contains("spec.http[0].route[0].weight: -5");
    } finally {
      await(client.close());
    }
  }

  private static JsonObject review(String object) {
    return new JsonObject().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
        .put("request", new JsonObject().put("uid", "uid-1").put("operation", "CREATE").put("namespace", "default")
            .put("kind", new JsonObject().put("group", "networking.istio.io").put("version", "v1")
                .put("kind", "VirtualService"))
            .put("object", new JsonObject(object)));
  }

  private JsonObject post(io.vertx.core.http.HttpClientAgent client, JsonObject review) {
    return await(client.request(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST)
            .setHost(HOST).setPort(plane.webhookPort()).setURI("/validate"))
        .compose(request -> request.send(review.encode()))
        .compose(response -> response.body()).map(Buffer::toJsonObject));
  }

  private static String run(Object command, String... args) {
    StringWriter out = new StringWriter();
    CommandLine line = new CommandLine(command);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(new StringWriter(), true));
    int code = line.execute(args);
    assertThat(code).as("exit code of %s", List.of(args)).isZero();
    return out.toString();
  }
}
