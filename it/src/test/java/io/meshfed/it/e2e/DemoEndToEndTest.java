package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.launcher.Meshfed;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's main job end to end: {@code meshfed demo} from the launcher jar (east on 127.0.41.x, west on
 * 127.0.42.x, so a demo a developer runs on the default subnets is not disturbed), then real requests through east's
 * ingress: the cross-cluster call reaches west's ratings through west's east-west gateway (which saw east's ingress
 * SVID), the weighted route serves
 * both versions, the east-west gateway speaks only mTLS with a mesh identity, and Ctrl-C stops it all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 110, unit = java.util.concurrent.TimeUnit.SECONDS)
class DemoEndToEndTest {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  static Path dir;
  static DemoProcess demo;
  static String readyUrl;
  static JsonObject east;
  static JsonObject west;

  @BeforeAll
  static void startDemo() throws Exception {
    demo = DemoProcess.start(dir.resolve("demo"), "--first-subnet", "41", "--ingress-port", "18080");
    readyUrl = demo.awaitReady(READY_TIMEOUT);
    east = demo.cluster("east");
    west = demo.cluster("west");
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void readyLineNamesEastsIngressAndDemoJsonListsEveryCluster() throws Exception {
    assertThat(readyUrl).isEqualTo("http://127.0.41.1:18080");
    assertThat(demo.stdout().lines().filter(l -> l.startsWith(DemoProcess.READY))).hasSize(1);
    assertThat(east.getString("ingressUrl")).isEqualTo(readyUrl);
    assertThat(east.getString("eastWestAddress")).isEqualTo("127.0.41.2:15443");
    assertThat(west.getString("eastWestAddress")).isEqualTo("127.0.42.2:15443");
    assertThat(get(east.getString("controlPlaneAdminUrl") + "/ready").statusCode()).isEqualTo(200);
    assertThat(west.getJsonArray("services").stream().map(JsonObject.class::cast).map(s -> s.getString("name")))
        .containsExactly("reviews", "ratings");
    assertThat(demo.stdout()).contains("curl -si " + readyUrl + "/ratings");
  }

  @Test
  @Order(2)
  void crossClusterRequestThroughEastsIngressIsServedByWest() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = get(readyUrl + "/ratings");
      assertThat(response.statusCode()).as("GET /ratings: %s", response.body()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-meshfed-served-by")).hasValue("west/ratings/v1");
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getString("cluster")).isEqualTo("west");
    }
    // Each hop recorded it: east's ingress sent it to west's east-west gateway, which verified east's ingress SVID.
    String eastIngressAdmin = east.getJsonObject("gatewayAdminUrls").getString("ingress");
    assertThat(requests(eastIngressAdmin, "/ratings")).anySatisfy(entry -> {
      assertThat(entry.getString("upstream_host")).isEqualTo(west.getString("eastWestAddress"));
      assertThat(entry.getString("upstream_cluster")).isEqualTo("outbound|9080||ratings.default.svc.cluster.local");
    });
    String westEastWestAdmin = west.getJsonObject("gatewayAdminUrls").getString("eastwest");
    assertThat(requests(westEastWestAdmin, "/ratings")).anySatisfy(entry -> {
      assertThat(entry.getString("source_principal"))
          .isEqualTo("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway");
      assertThat(entry.getString("upstream_cluster")).isEqualTo("outbound_.9080_._.ratings.default.svc.cluster.local");
      assertThat(entry.getInteger("response_code")).isEqualTo(200);
    });
  }

  /** The gateway's recent requests ({@code /requestz}) for {@code path}. */
  private static java.util.List<JsonObject> requests(String admin, String path) throws Exception {
    HttpResponse<String> response = get(admin + "/requestz");
    assertThat(response.statusCode()).as("%s/requestz", admin).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("entries").stream().map(JsonObject.class::cast)
        .filter(entry -> path.equals(entry.getString("path"))).toList();
  }

  @Test
  @Order(3)
  void weightedRouteSplitsTrafficBetweenBothVersions() throws Exception {
    Map<String, Integer> versions = new TreeMap<>();
    for (int i = 0; i < 80; i++) {
      HttpResponse<String> response = get(readyUrl + "/reviews");
      assertThat(response.statusCode()).as("GET /reviews: %s", response.body()).isEqualTo(200);
      String servedBy = response.headers().firstValue("x-meshfed-served-by").orElseThrow();
      assertThat(servedBy).matches("(east|west)/reviews/v[12]");
      versions.merge(servedBy.substring(servedBy.lastIndexOf('/') + 1), 1, Integer::sum);
    }
    // 75/25: with 80 requests, v2 below 5 or above v1 would be a broken split (p < 1e-4 by chance).
    assertThat(versions).containsOnlyKeys("v1", "v2");
    assertThat(versions.get("v2")).as("v2 of %s", versions).isGreaterThanOrEqualTo(5);
    assertThat(versions.get("v1")).as("v1 of %s", versions).isGreaterThan(versions.get("v2"));
  }

  @Test
  @Order(4)
  void eastWestGatewaySpeaksOnlyMtlsWithCertificatesOfTheMeshRoot() throws Exception {
    InetSocketAddress gateway = address(west.getString("eastWestAddress"));
    String sni = "outbound_.9080_._.ratings.default.svc.cluster.local";

    // Plaintext HTTP to :15443 gets no HTTP answer.
    try (Socket socket = new Socket()) {
      socket.connect(gateway, 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /ratings HTTP/1.1\r\nHost: ratings.default.svc.cluster.local\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(64), StandardCharsets.ISO_8859_1)).as("plaintext answer").isEmpty();
    } catch (java.net.SocketException reset) {
      // Reset by the gateway: refused too.
    }

    // Istio's SNI and ALPN without a client certificate: refused.
    assertThatThrownBy(() -> MeshClient.get(gateway, sni, "/ratings", null)).isInstanceOf(IOException.class);

    // A certificate of another root (same trust domain, SPIFFE id and all): refused.
    Path strangerCa = dir.resolve("stranger");
    assertThat(meshfed("ca", "init", "--data-dir", strangerCa.toString())).isZero();
    assertThat(meshfed("ca", "issue", "--data-dir", strangerCa.toString(), "--spiffe-id",
        "spiffe://cluster.local/ns/default/sa/e2e-client", "--out", dir.resolve("stranger-client").toString())).isZero();
    assertThatThrownBy(() -> MeshClient.get(gateway, sni, "/ratings", dir.resolve("stranger-client")))
        .isInstanceOf(IOException.class);

    // A certificate issued under the demo's root, as another cluster's gateway holds: served, and the gateway proves
    // its own SPIFFE identity.
    assertThat(meshfed("ca", "issue", "--data-dir", dir.resolve("demo").toString(), "--spiffe-id",
        "spiffe://cluster.local/ns/default/sa/e2e-client", "--out", dir.resolve("mesh-client").toString())).isZero();
    MeshClient.Answer answer = MeshClient.get(gateway, sni, "/ratings", dir.resolve("mesh-client"));
    assertThat(answer.response()).startsWith("HTTP/1.1 200").contains("x-meshfed-served-by: west/ratings/v1");
    assertThat(answer.serverLeaf().getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))))
        .contains("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-eastwestgateway");
  }

  @Test
  @Order(5)
  void gatewaysAndControlPlanesShowTheirConfigAndSyncState() throws Exception {
    for (JsonObject cluster : java.util.List.of(east, west)) {
      JsonObject admins = cluster.getJsonObject("gatewayAdminUrls");
      for (String role : java.util.List.of("ingress", "eastwest")) {
        HttpResponse<String> dump = get(admins.getString(role) + "/config_dump");
        assertThat(dump.statusCode()).as("%s %s /config_dump: %s", cluster.getString("name"), role, dump.body())
            .isEqualTo(200);
      }
    }
    HttpResponse<String> syncz = get(east.getString("controlPlaneAdminUrl") + "/debug/syncz");
    assertThat(syncz.body()).contains("\"role\" : \"ingress\"", "\"role\" : \"eastwest\"")
        .doesNotContain("NOT SENT", "STALE");
  }

  @Test
  @Order(6)
  void proxyConfigAndProxyStatusShowWhatTheRunningGatewaysServe() throws Exception {
    String eastIngress = east.getJsonObject("gatewayAdminUrls").getString("ingress");
    String westEastWest = west.getJsonObject("gatewayAdminUrls").getString("eastwest");
    String gateway = "meshfed-ingressgateway.meshfed-system";

    assertThat(run("proxy-config", gateway, "listeners", "--admin", eastIngress).out())
        .contains("NAME", "ADDRESS", "PORT", "18080");
    assertThat(run("proxy-config", gateway, "clusters", "--admin", eastIngress).out())
        .contains("ratings.default.svc.cluster.local", "reviews.default.svc.cluster.local");
    // West's east-west gateway routes to west's own backends, on west's loopback subnet.
    assertThat(run("proxy-config", gateway, "endpoints", "--admin", westEastWest).out()).contains("127.0.42.");
    assertThat(run("proxy-config", gateway, "secrets", "--admin", eastIngress).out())
        .contains("ROOTCA", "ACTIVE").doesNotContain("PRIVATE KEY");
    JsonArray routes = new JsonArray(run("proxy-config", gateway, "routes", "--admin", eastIngress, "-o", "json")
        .out());
    assertThat(routes.encode()).contains("reviews.default.svc.cluster.local");

    String status = run("proxy-status", "--control-plane", east.getString("controlPlaneAdminUrl")).out();
    assertThat(status).contains("east", "west", "SYNCED").doesNotContain("STALE", "NOT SENT");
  }

  @Test
  @Order(7)
  void ctrlCStopsEverythingAndRemovesDemoJson() throws Exception {
    int exit = demo.stop(Duration.ofSeconds(40));
    // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran (the demo stops in its hook).
    assertThat(exit).as("exit code after SIGTERM\n%s", demo.describe()).isEqualTo(143);
    assertThat(demo.stdout()).contains("meshfed demo: stopped");
    assertThat(demo.stdout()).doesNotContain("did not stop cleanly");
    assertThat(dir.resolve("demo").resolve("demo.json")).doesNotExist();
    assertThatThrownBy(() -> get(readyUrl + "/ratings")).isInstanceOf(IOException.class);
  }

  /** {@code meshfed ARGS} in this JVM (the launcher is on the test classpath); its exit code. */
  private static int meshfed(String... args) {
    return execute(args).exit();
  }

  /** {@code meshfed ARGS} in this JVM, which must succeed; what it printed. */
  private static Run run(String... args) {
    Run run = execute(args);
    assertThat(run.exit()).as("meshfed %s: %s", String.join(" ", args), run.err()).isZero();
    return run;
  }

  private static Run execute(String... args) {
    CommandLine line = Meshfed.commandLine();
    StringWriter out = new StringWriter();
    line.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute(args);
    if (exit != 0) {
      System.err.println("meshfed " + String.join(" ", args) + ": " + err);
    }
    return new Run(exit, out.toString(), err.toString());
  }

  private record Run(int exit, String out, String err) {
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
