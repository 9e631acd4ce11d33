package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.AdsClientState;
import io.meshfed.control.client.xds.Backoff;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.cli.ProxyStatusCommand;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two control planes (east on 127.0.1.x, west on 127.0.2.x) of one mesh, sharing one local root, federated over the
 * SPIFFE mTLS relay with the SVIDs their CAs issue: a service east exports (Service + ServiceExport) reaches west's
 * catalog and west's translation, both show each other in {@code /debug/clusterz}, and {@code proxy-status} asked
 * at east lists the gateways of both clusters.
 */
class FederatedControlPlanesTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  ControlPlane east;
  ControlPlane west;
  AdsClient eastGateway;
  AdsClient westGateway;
  AdsClient lateGateway;
  static final String REVIEWS = "outbound|9080||reviews.bookinfo.svc.cluster.local";

  @AfterEach
  void stop() {
    for (AdsClient client : new AdsClient[] {eastGateway, westGateway, lateGateway}) {
      if (client != null) {
        await(client.close());
      }
    }
    for (ControlPlane plane : new ControlPlane[] {west, east}) {
      if (plane != null) {
        await(plane.close());
      }
    }
    await(vertx.close());
  }

  String mesh;
  String eastAdmin;
  String westAdmin;

  /**
   * Starts east (exporting bookinfo/reviews) and west, federated, both ready, with one gateway each; west's gateway
   * holds east's reviews.
   */
  private void federate() throws Exception {
    mesh = "test-" + UUID.randomUUID();
    int eastRelay = ControlPlaneFixture.freePort("127.0.0.1");
    int westRelay = ControlPlaneFixture.freePort("127.0.0.1");
    Path eastConfig = Files.createDirectories(dir.resolve("east-istio"));
    Files.writeString(eastConfig.resolve("reviews.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          ports: [{name: http, port: 9080}]
          selector: {app: reviews}
        ---
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: reviews, namespace: bookinfo}
        """);
    Path westConfig = Files.createDirectories(dir.resolve("west-istio"));

    Path eastSettings = ControlPlaneFixture.settings(dir, "east", mesh, "127.0.1.3",
        "source: directory\ndirectory: " + eastConfig, null);
    east = ControlPlaneFixture.start(vertx, eastSettings, Map.of("federation.relayPort", "" + eastRelay,
        "federation.members", "west=127.0.0.1:" + westRelay), dir.resolve("none"));

    // One mesh, one root: west's local CA starts from east's root files (as an operator copies them, or Vault).
    Path eastCa = east.settings().dataDir().resolve("ca");
    Path westCa = Files.createDirectories(dir.resolve("data-west").resolve("ca"));
    try (Stream<Path> files = Files.list(eastCa)) {
      for (Path file : files.sorted(Comparator.naturalOrder()).toList()) {
        Files.copy(file, westCa.resolve(file.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path westSettings = ControlPlaneFixture.settings(dir, "west", mesh, "127.0.2.3",
        "source: directory\ndirectory: " + westConfig, null);
    west = ControlPlaneFixture.start(vertx, westSettings, Map.of("federation.relayPort", "" + westRelay,
        "federation.members", "east=127.0.0.1:" + eastRelay), dir.resolve("none"));

    eastAdmin = ControlPlaneFixture.adminUrl(east);
    westAdmin = ControlPlaneFixture.adminUrl(west);
    ControlPlaneFixture.awaitGet(westAdmin + "/debug/clusterz", r -> r.statusCode() == 200
        && clusterIds(r.body()).containsAll(Set.of("east", "west")));
    ControlPlaneFixture.awaitGet(eastAdmin + "/ready", r -> r.statusCode() == 200);
    ControlPlaneFixture.awaitGet(westAdmin + "/ready", r -> r.statusCode() == 200);

    // West's gateways learn of east's export through the catalog.
    westGateway = gateway(west, "127.0.2.20", "west");
    eastGateway = gateway(east, "127.0.1.20", "east");
    awaitReviews(westGateway, "west's gateway gets east's reviews");
  }

  private static void awaitReviews(AdsClient gateway, String what) {
    ControlPlaneFixture.eventually(what, () -> await(gateway.state()).types().get(XdsResourceType.CLUSTER)
        .resources().containsKey(REVIEWS));
  }

  @Test
  void anExportedServiceCrossesTheRelayAndProxyStatusSeesBothClusters() throws Exception {
    federate();

    JsonObject clusterz = new JsonObject(ControlPlaneFixture.get(westAdmin + "/debug/clusterz").body());
    assertThat(clusterz.getInteger("members")).isEqualTo(2);
    JsonArray clusters = clusterz.getJsonArray("clusters");
    assertThat(clusters.stream().map(JsonObject.class::cast).filter(c -> c.getString("clusterId").equals("east"))
        .findFirst().orElseThrow().getString("adminUrl")).isEqualTo(eastAdmin);

    StringWriter out = new StringWriter();
    CommandLine line = new CommandLine(new ProxyStatusCommand());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(new StringWriter(), true));
    ControlPlaneFixture.eventually("both gateways listed", () -> {
      out.getBuffer().setLength(0);
      return line.execute("--control-plane", eastAdmin) == 0
          && out.toString().contains("gw-east.meshfed-system") && out.toString().contains("gw-west.meshfed-system");
    });
    assertThat(out.toString()).contains("SYNCED");
  }

  @Test
  void losingThePeerThenTheHazelcastMemberKeepsTheLastCatalogViewServingAndReadinessSaysWhy() throws Exception {
    federate();
    assertThat(ControlPlaneFixture.get(westAdmin + "/ready").body()).doesNotContain("degraded");

    // The peer goes away (a partition looks the same from here): its exports stay, judged by their lease.
    await(east.close());
    east = null;
    var ready = ControlPlaneFixture.awaitGet(westAdmin + "/ready", r -> r.body().contains("degraded: federation"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready (degraded)").contains("no other control plane connected "
        + "(configured peers: [east]); the last catalog view keeps serving");
    lateGateway = gateway(west, "127.0.2.21", "west", "gw-west-late");
    awaitReviews(lateGateway, "a gateway connecting now still gets east's reviews");

    // Then west's own Hazelcast member stops. From here on (east is closed), nothing may fail unhandled.
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    HazelcastInstance member = Hazelcast.getHazelcastInstanceByName("meshfed-" + mesh + "-west");
    assertThat(member).as("west's Hazelcast member").isNotNull();
    member.getLifecycleService().terminate();
    ready = ControlPlaneFixture.awaitGet(westAdmin + "/ready", r -> r.body().contains("Hazelcast member is not"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready (degraded)").contains("degraded: federation: the Hazelcast member is "
        + "not running; the last catalog view keeps serving");
    var clusterz = ControlPlaneFixture.get(westAdmin + "/debug/clusterz");
    assertThat(clusterz.statusCode()).isEqualTo(200);
    JsonObject view = new JsonObject(clusterz.body());
    assertThat(view.getInteger("members")).isZero();
    assertThat(view.getJsonArray("clusters").stream().map(JsonObject.class::cast).map(c -> c.getString("clusterId")))
        .contains("east", "west");

    await(lateGateway.close());
    lateGateway = gateway(west, "127.0.2.22", "west", "gw-west-later");
    awaitReviews(lateGateway, "a gateway connecting after the member stopped still gets east's reviews");
    assertThat(await(westGateway.state()).types().get(XdsResourceType.CLUSTER).resources()).containsKey(REVIEWS);
    // A few lease checks (one a second) and health checks later: nothing failed for want of the member.
    Thread.sleep(2_000);
    assertThat(unhandled).isEmpty();
  }

  private static Set<String> clusterIds(String body) {
    return new JsonObject(body).getJsonArray("clusters").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("health").equals("LIVE"))
        .map(c -> c.getString("clusterId")).collect(java.util.stream.Collectors.toSet());
  }

  private AdsClient gateway(ControlPlane plane, String ip, String cluster) {
    return gateway(plane, ip, cluster, "gw-" + cluster);
  }

  private AdsClient gateway(ControlPlane plane, String ip, String cluster, String pod) {
    AdsClient client = AdsClient.builder(vertx)
        .server(SocketAddress.inetSocketAddress(plane.xdsPlaintextPort(), plane.settings().xds().plaintextAddress()
            .host()))
        .node(NodeIdentity.builder().ip(ip).podName(pod).namespace("meshfed-system").clusterId(cluster)
            .role(GatewayRole.EASTWEST).build())
        .backoff(new io.meshfed.control.client.xds.Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
        .subscribe(XdsResourceType.CLUSTER, Set.of(), update -> Verdict.accept())
        .build();
    await(client.start());
    return client;
  }
}
