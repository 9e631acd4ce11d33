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
}
