package io.meshfed.control.plane.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneSettingsTest {

  @TempDir
  Path dir;

  private Path file(String yaml) throws Exception {
    Path file = dir.resolve("control-plane.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void theDocumentedExampleReadsWithEveryValue() throws Exception {
    ControlPlaneSettings s = ControlPlaneSettings.load(file("""
        meshId: mesh1
        clusterId: east
        network: network-east
        trustDomain: cluster.local
        trustDomainAliases: [legacy.local]
        systemNamespace: meshfed-system
        locality: {region: us-east1, zone: us-east1-b}
        dataDir: /var/lib/meshfed
        config: {source: kubernetes, directory: /etc/meshfed/config, kubeconfig: ""}
        ca:
          mode: vault
          workloadCertTtl: 12h
          vault:
            address: https://vault.vault:8200
            pkiPath: pki
            intermediatePath: pki_int
            role: meshfed
            caCertFile: ""
            auth: {method: kubernetes, role: meshfed, mountPath: kubernetes,
                   tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token, roleIdFile: "", secretIdFile: ""}
        federation:
          members: [west=meshfed-federation.west.example.com:15015]
          relayPort: 15015
          hazelcastPort: 5701
          kubernetesDiscovery: false
          leaseGrace: 60s
          onStale: fail-static
          remoteSecretTimeout: 30s
          memberTimeout: 20s
          mergeInterval: 10s
        xds: {plaintextAddress: 127.0.0.1:15010, tlsAddress: 0.0.0.0:15012, debounceAfter: 100ms, debounceMax: 10s}
        admin: {address: 0.0.0.0:15014}
        webhook: {address: ""}
        outboundTrafficPolicy: REGISTRY_ONLY
        """), Map.of());
    assertThat(s.clusterId()).isEqualTo("east");
    assertThat(s.trustDomainAliases()).containsExactly("legacy.local");
    assertThat(s.ca().mode()).isEqualTo(ControlPlaneSettings.CaModeSetting.VAULT);
    assertThat(s.ca().workloadCertTtl()).isEqualTo(Duration.ofHours(12));
    assertThat(s.federation().members()).containsExactly(new ControlPlaneSettings.Member("west",
        new ControlPlaneSettings.Address("meshfed-federation.west.example.com", 15015)));
    assertThat(s.federation().onStale()).isEqualTo(ControlPlaneSettings.OnStale.FAIL_STATIC);
    assertThat(s.federation().memberTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.federation().mergeInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.xds().tlsAddress()).isEqualTo(new ControlPlaneSettings.Address("0.0.0.0", 15012));
    assertThat(s.webhook().address()).isNull();
    assertThat(s.controlPlaneSpiffeId()).isEqualTo("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-control-plane");
  }

  @Test
  void anUnknownKeyNamesTheKeyTheFileAndItsPosition() throws Exception {
    Path file = file("clusterId: east\nca:\n  mode: local\n  moed: vault\n");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file, Map.of()))
        .isInstanceOf(SettingsException.class)
        .hasMessage(file + ":4:9: ca.moed: unknown key (expected one of: mode, workloadCertTtl, vault; see "
            + "docs/configuration.md)");
  }

  @Test
  void badValuesSayWhatIsExpected() throws Exception {
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("ca: {mode: vault-signs}\n"), Map.of()))
        .hasMessageEndingWith("ca.mode: \"vault-signs\" (expected: local, vault, vault-sign)");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("xds: {debounceAfter: 100}\n"), Map.of()))
        .hasMessageContaining("xds.debounceAfter: 100 (expected: a duration such as 100ms, 10s, 1m or 1h; a number "
            + "needs a unit, e.g. 100s)");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("federation: {relayPort: 70000}\n"), Map.of()))
        .hasMessageContaining("federation.relayPort: 70000 (expected: an integer 0..65535)");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("federation: {memberTimeout: 1s}\n"), Map.of()))
        .hasMessageContaining("federation.memberTimeout: ").hasMessageEndingWith("(expected: at least 5s)");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("clusterId: East\n"), Map.of()))
        .hasMessageContaining("clusterId: \"East\" (expected: a DNS-1123 label");
  }

  @Test
  void aFederationMemberWithoutItsClusterIdIsReportedNotUsed() throws Exception {
    ControlPlaneSettings s = ControlPlaneSettings.load(file("federation:\n  members: [west.example.com:15015]\n"),
        Map.of());
    assertThat(s.federation().members()).isEmpty();
    assertThat(s.federation().unusable()).containsExactly("members[0]: west.example.com:15015 has no cluster id "
        + "(expected: <clusterId>=west.example.com:15015; or let the peer's remote Secret announce it with "
        + "meshfed.io/federation-endpoint)");
    assertThatThrownBy(() -> ControlPlaneSettings.load(file("federation:\n  members: [West=h:1]\n"), Map.of()))
        .hasMessageContaining("federation.members[0]: \"West=h:1\" (expected: <clusterId>=host:port with a DNS-1123");
  }

  @Test
  void commandLineOverridesWinAndAreValidatedLikeTheFile() throws Exception {
    Path file = file("clusterId: east\nadmin: {address: 0.0.0.0:15014}\n");
    ControlPlaneSettings s = ControlPlaneSettings.load(file, Map.of("admin.address", "127.0.0.1:0",
        "federation.members", "west=127.0.0.1:15015,third=127.0.3.1:15015", "config.source", "directory"));
    assertThat(s.admin().address()).isEqualTo(new ControlPlaneSettings.Address("127.0.0.1", 0));
    assertThat(s.federation().members()).extracting(ControlPlaneSettings.Member::clusterId)
        .containsExactly("west", "third");
    assertThat(s.config().source()).isEqualTo(ControlPlaneSettings.ConfigSourceKind.DIRECTORY);
    assertThatThrownBy(() -> ControlPlaneSettings.load(file, Map.of("admin.address", "nowhere")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("command line: admin.address: \"nowhere\" (expected: host:port, e.g. 0.0.0.0:15012)");
  }

  @Test
  void noFileMeansTheDocumentedDefaults() {
    ControlPlaneSettings s = ControlPlaneSettings.load(null, Map.of());
    assertThat(s.xds().plaintextAddress()).isEqualTo(new ControlPlaneSettings.Address("127.0.0.1", 15010));
    assertThat(s.federation().relayPort()).isEqualTo(15015);
    assertThat(s.ca().mode()).isEqualTo(ControlPlaneSettings.CaModeSetting.LOCAL);
    assertThat(s.config().source()).isEqualTo(ControlPlaneSettings.ConfigSourceKind.KUBERNETES);
  }
}
