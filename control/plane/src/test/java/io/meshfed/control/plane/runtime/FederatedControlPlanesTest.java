package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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

  @AfterEach
  void stop() {
    for (AdsClient client : new AdsClient[] {eastGateway, westGateway}) {
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

  @Test
  void anExportedServiceCrossesTheRelayAndProxyStatusSeesBothClusters() throws Exception {
    String mesh = "test-" + UUID.randomUUID();
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

    String eastAdmin = ControlPlaneFixture.adminUrl(east);
    String westAdmin = ControlPlaneFixture.adminUrl(west);
    ControlPlaneFixture.awaitGet(westAdmin + "/debug/clusterz", r -> r.statusCode() == 200
        && clusterIds(r.body()).containsAll(Set.of("east", "west")));
    ControlPlaneFixture.awaitGet(eastAdmin + "/ready", r -> r.statusCode() == 200);
    ControlPlaneFixture.awaitGet(westAdmin + "/ready", r -> r.statusCode() == 200);

    // West's gateways learn of east's export through the catalog.
    westGateway = gateway(west, "127.0.2.20", "west");
    eastGateway = gateway(east, "127.0.1.20", "east");
    ControlPlaneFixture.eventually("west's gateway gets east's reviews", () -> {
      AdsClientState state = await(westGateway.state());
      return state.types().get(XdsResourceType.CLUSTER).resources()
          .containsKey("outbound|9080||reviews.bookinfo.svc.cluster.local");
    });

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

  private static Set<String> clusterIds(String body) {
    return new JsonObject(body).getJsonArray("clusters").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("health").equals("LIVE"))
        .map(c -> c.getString("clusterId")).collect(java.util.stream.Collectors.toSet());
  }

  private AdsClient gateway(ControlPlane plane, String ip, String cluster) {
    AdsClient client = AdsClient.builder(vertx)
        .server(SocketAddress.inetSocketAddress(plane.xdsPlaintextPort(), plane.settings().xds().plaintextAddress()
            .host()))
        .node(NodeIdentity.builder().ip(ip).podName("gw-" + cluster).namespace("meshfed-system").clusterId(cluster)
            .role(GatewayRole.EASTWEST).build())
        .backoff(new io.meshfed.control.client.xds.Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
        .subscribe(XdsResourceType.CLUSTER, Set.of(), update -> Verdict.accept())
        .build();
    await(client.start());
    return client;
  }
}
