package io.meshfed.control.client.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsReaderTest {

  @TempDir
  Path dir;

  private Path file(String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void readsTheDocumentedFileAndOptionsOverrideSingleKeys() throws Exception {
    Path file = file("""
        name: meshfed-eastwestgateway
        namespace: meshfed-system
        clusterId: east
        network: network-east
        meshId: mesh1
        serviceAccount: meshfed-eastwestgateway
        labels:
          istio: eastwestgateway
        locality:
          region: us-east1
          zone: us-east1-b
        xds:
          address: meshfed-control-plane.meshfed-system:15012
          tokenFile: /var/run/secrets/tokens/meshfed-token
          caCertFile: /var/run/secrets/meshfed/root-cert.pem
        ports:
          health: 15021
          metrics: 15090
          admin: 127.0.0.1:15000
        listeners:
          0.0.0.0_15443: 127.0.1.1:0
        drainTimeout: 5s
        """);
    GatewaySettings settings = GatewaySettingsReader.read(GatewayRole.EASTWEST, file,
        Map.of("clusterId", "west", "xds.protocol", "sotw"));

    assertThat(settings.clusterId()).isEqualTo("west");
    assertThat(settings.network()).isEqualTo("network-east");
    assertThat(settings.labels()).containsEntry("istio", "eastwestgateway");
    assertThat(settings.locality()).isEqualTo(new GatewaySettings.Locality("us-east1", "us-east1-b", ""));
    assertThat(settings.xds().host()).isEqualTo("meshfed-control-plane.meshfed-system");
    assertThat(settings.xds().port()).isEqualTo(15012);
    assertThat(settings.xds().mtls()).isTrue();
    assertThat(settings.xds().protocol()).isEqualTo(AdsClient.Protocol.STATE_OF_THE_WORLD);
    assertThat(settings.listeners()).containsEntry("0.0.0.0_15443", new InetSocketAddress("127.0.1.1", 0));
    assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.podName()).isEqualTo("meshfed-eastwestgateway");
  }

  @Test
  void unknownKeyNamesTheFileTheKeyAndTheKeysExpected() throws Exception {
    Path file = file("clusterId: east\nxds:\n  adress: cp:15010\n");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, file, Map.of()))
        .isInstanceOf(GatewaySettingsException.class)
        .hasMessage(file + ": xds.adress: unknown key (expected one of: address, caCertFile, protocol, tokenFile)");
  }

  @Test
  void badValueNamesWhereItCameFrom() throws Exception {
    Path file = file("clusterId: east\nxds:\n  address: cp:15010\nports:\n  health: twenty\n");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, file, Map.of()))
        .hasMessage(file + ": ports.health: twenty (expected: a port number 0..65535)");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, file,
        Map.of("ports.health", "15021", "drainTimeout", "soon")))
        .hasMessage("command line: drainTimeout: soon (expected: a duration such as 500ms, 30s, 1m, 1h)");
  }

  @Test
  void missingRequiredKeysAndHalfConfiguredTlsAreExplained() {
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, null,
        Map.of("xds.address", "cp:15010")))
        .hasMessageStartingWith("command line: clusterId: not set (expected:");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, null,
        Map.of("clusterId", "east", "xds.address", "cp:15012", "xds.caCertFile", "/root-cert.pem")))
        .hasMessageStartingWith("command line: xds.tokenFile: not set (expected: the token");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, null,
        Map.of("clusterId", "east", "xds.address", "cp")))
        .hasMessage("command line: xds.address: cp (expected: host:port)");
  }

  @Test
  void accessLogIsReadAndABadFilterIsNamed() throws Exception {
    Path file = file("clusterId: east\nxds:\n  address: cp:15010\naccessLog:\n  path: /dev/stdout\n"
        + "  filter: \"response.code >= 400\"\n  sampling: 0.5\n");
    GatewaySettings settings = GatewaySettingsReader.read(GatewayRole.INGRESS, file, Map.of());
    assertThat(settings.accessLog().path()).isEqualTo("/dev/stdout");
    assertThat(settings.accessLog().filter().toString()).isEqualTo("response.code >= 400");
    assertThat(settings.accessLog().sampling()).isEqualTo(0.5);
    Path bad = file("clusterId: east\nxds:\n  address: cp:15010\naccessLog:\n  filter: \"response.code >=\"\n");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, bad, Map.of()))
        .hasMessageStartingWith(bad + ": accessLog.filter: response.code >=: ");
  }

  @Test
  void transportDefaultsToAutoAndABadOneIsNamed() throws Exception {
    Path file = file("clusterId: east\nxds:\n  address: cp:15010\ntransport: epoll\n");
    assertThat(GatewaySettingsReader.read(GatewayRole.INGRESS, file, Map.of()).transport())
        .isEqualTo(IoTransport.EPOLL);
    assertThat(GatewaySettingsReader.read(GatewayRole.INGRESS, file, Map.of("transport", "nio")).transport())
        .isEqualTo(IoTransport.NIO);
    assertThat(GatewaySettingsReader.read(GatewayRole.INGRESS, null,
        Map.of("clusterId", "east", "xds.address", "cp:15010")).transport()).isEqualTo(IoTransport.AUTO);
    Path bad = file("clusterId: east\nxds:\n  address: cp:15010\ntransport: io_uring\n");
    assertThatThrownBy(() -> GatewaySettingsReader.read(GatewayRole.INGRESS, bad, Map.of()))
        .hasMessage(bad + ": transport: io_uring (expected: auto, epoll or nio)");
  }

  @Test
  void tokenIsNeverPrinted() {
    GatewaySettings settings = GatewaySettings.builder(GatewayRole.EGRESS).clusterId("east")
        .xdsAddress("cp", 15012).caCertFile(Path.of("/root.pem")).token("s3cr3t-token").build();
    assertThat(settings.toString()).doesNotContain("s3cr3t-token").contains("(redacted)");
  }
}
