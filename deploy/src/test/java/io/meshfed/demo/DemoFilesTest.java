package io.meshfed.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsReader;
import io.meshfed.control.plane.ca.BootstrapTokens;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the demo writes are what `meshfed control-plane` and `meshfed gateway` read, as they read them. */
class DemoFilesTest {

  @TempDir
  Path dir;

  @Test
  void everyProcessReadsItsGeneratedSettingsFile() throws Exception {
    DemoSettings settings = DemoSettings.builder(dir).firstSubnet(91).build();
    List<String> progress = new ArrayList<>();
    new DemoFiles(settings, settings.topology(), progress::add).write();

    ControlPlaneSettings east = ControlPlaneSettings.load(dir.resolve("east/control-plane.yaml"), Map.of());
    ControlPlaneSettings west = ControlPlaneSettings.load(dir.resolve("west/control-plane.yaml"), Map.of());
    assertThat(east.clusterId()).isEqualTo("east");
    assertThat(east.network()).isEqualTo("network-east");
    assertThat(east.config().directory()).isEqualTo(dir.resolve("east/config"));
    assertThat(east.xds().tlsAddress().toString()).isEqualTo("127.0.91.3:15012");
    assertThat(east.webhook().address()).isNull();
    assertThat(east.federation().members()).singleElement()
        .satisfies(m -> assertThat(m.clusterId()).isEqualTo("west"))
        .satisfies(m -> assertThat(m.relay().port()).isEqualTo(west.federation().relayPort()));

    GatewaySettings ingress = GatewaySettingsReader.read(GatewayKind.INGRESS.gatewayRole(),
        dir.resolve("west/ingress-gateway.yaml"), Map.of());
    assertThat(ingress.clusterId()).isEqualTo("west");
    assertThat(ingress.labels()).containsEntry("istio", "ingressgateway");
    assertThat(ingress.listenerHost()).hasValue("127.0.92.1");
    assertThat(ingress.xds().port()).isEqualTo(15012);
    assertThat(ingress.xds().caCertFile()).hasValue(dir.resolve("west/data/root-cert.pem"));
    GatewaySettings eastWest = GatewaySettingsReader.read(GatewayKind.EASTWEST.gatewayRole(),
        dir.resolve("east/eastwest-gateway.yaml"), Map.of());
    assertThat(eastWest.serviceAccount()).isEqualTo("meshfed-eastwestgateway");
    assertThat(eastWest.listenerHost()).hasValue("127.0.91.2");

    // Secrets stay private: the root key, each cluster's copy, the gateways' tokens.
    for (Path secret : List.of(dir.resolve("ca/root-key.pem"), dir.resolve("east/data/ca/root-key.pem"),
        dir.resolve("west/ingress-gateway.token"), BootstrapTokens.file(dir.resolve("east/data")))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).as("%s", secret)
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(dir.resolve("east/data/ca/root-cert.pem")))
        .isEqualTo(Files.readString(dir.resolve("ca/root-cert.pem")));
    assertThat(String.join("\n", progress)).doesNotContain(Files.readString(dir.resolve("west/ingress-gateway.token")));
  }

  @Test
  void manifestListsEachClustersAddressesAndServices() {
    DemoSettings settings = DemoSettings.builder(dir).build();
    JsonObject manifest = DemoManifest.of(settings, settings.topology(), List.of("curl x"));
    assertThat(manifest.getString("ingressUrl")).isEqualTo("http://127.0.1.1:8080");
    JsonObject west = manifest.getJsonArray("clusters").getJsonObject(1);
    assertThat(west.getString("name")).isEqualTo("west");
    assertThat(west.getString("eastWestAddress")).isEqualTo("127.0.2.2:15443");
    assertThat(west.getString("controlPlaneAdminUrl")).isEqualTo("http://127.0.2.3:15014");
    JsonObject ratings = west.getJsonArray("services").getJsonObject(1);
    assertThat(ratings.getString("host")).isEqualTo("ratings.default.svc.cluster.local");
    assertThat(ratings.getJsonArray("workloads").getJsonObject(0).getString("servedBy")).isEqualTo("west/ratings/v1");
    assertThat(DemoManifest.admins(settings.topology()).getJsonObject("clusters").getJsonObject("east")
        .getString("eastwest")).isEqualTo("http://127.0.1.2:15000");
  }

  @Test
  void threeClustersGetTheirFilesARingOfRelayPeersAndTheCertificateLifetime() throws Exception {
    DemoSettings settings = DemoSettings.builder(dir).clusters(3).firstSubnet(94)
        .workloadCertTtl(java.time.Duration.ofMinutes(1)).build();
    new DemoFiles(settings, settings.topology(), line -> { }).write();

    Map<String, String> peers = new java.util.LinkedHashMap<>();
    for (String cluster : List.of("east", "west", "north")) {
      ControlPlaneSettings plane = ControlPlaneSettings.load(dir.resolve(cluster + "/control-plane.yaml"), Map.of());
      assertThat(plane.ca().workloadCertTtl()).isEqualTo(java.time.Duration.ofMinutes(1));
      assertThat(plane.federation().members()).hasSize(1);
      peers.put(cluster, plane.federation().members().get(0).clusterId());
    }
    assertThat(peers).containsExactly(Map.entry("east", "west"), Map.entry("west", "north"),
        Map.entry("north", "east"));
    GatewaySettings north = GatewaySettingsReader.read(GatewayKind.INGRESS.gatewayRole(),
        dir.resolve("north/ingress-gateway.yaml"), Map.of());
    assertThat(north.listenerHost()).hasValue("127.0.96.1");
    assertThat(Files.exists(dir.resolve("north/config/ratings.yaml"))).isFalse();

    JsonObject manifest = DemoManifest.of(settings, settings.topology(), DemoCommands.of(settings.topology()));
    assertThat(manifest.getJsonArray("clusters")).hasSize(3);
    assertThat(manifest.getJsonArray("clusters").getJsonObject(2).getString("ingressUrl"))
        .isEqualTo("http://127.0.96.1:8080");
    assertThat(DemoManifest.admins(settings.topology()).getJsonObject("clusters").fieldNames())
        .containsExactly("east", "west", "north");
  }
}
