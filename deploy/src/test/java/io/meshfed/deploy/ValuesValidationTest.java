package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Bad values fail the install with a message naming the value and what was expected (values.schema.json for
 * single values, the chart's checks for values that contradict each other), instead of rendering a mesh that
 * cannot work.
 */
class ValuesValidationTest {

  @Test
  void misspeltKeyIsRejected() {
    assertThatThrownBy(() -> ChartRender.chart().set("mesh.clusterID", "east").yaml())
        .hasMessageContaining("mesh: Additional property clusterID is not allowed");
  }

  @Test
  void durationMustUseIstiosNotation() {
    assertThatThrownBy(() -> ChartRender.chart().set("federation.leaseGrace", "one minute").yaml())
        .hasMessageContaining("federation.leaseGrace");
  }

  @Test
  void unknownCaModeIsRejected() {
    assertThatThrownBy(() -> ChartRender.chart().set("ca.mode", "vault-pki").yaml())
        .hasMessageContaining("ca.mode");
  }

  @Test
  void federationMembersMustBeHostAndPort() {
    assertThatThrownBy(() -> ChartRender.chart().set("federation.members[0]", "meshfed.west.example.com").yaml())
        .hasMessageContaining("federation.members.0");
  }

  @Test
  void federationMembersMayBeIpv6() {
    Manifests manifests = ChartRender.chart().set("federation.members[0]", "[fd00::15]:15015").render();
    assertThat(SettingsDocument.parse(manifests.configMapData("meshfed-control-plane", "control-plane.yaml"))
        .path("federation").path("members").get(0).asText()).isEqualTo("[fd00::15]:15015");
  }

  @Test
  void clusterIdIsRequired() {
    assertThatThrownBy(() -> ChartRender.chart().set("mesh.clusterId", "").yaml())
        .hasMessageContaining("mesh.clusterId");
  }

  @Test
  void severalReplicasNeedASharedCa() {
    assertThatThrownBy(() -> ChartRender.chart().set("controlPlane.replicas", 2).yaml())
        .hasMessageContaining("controlPlane.replicas: 2 (expected: 1 when ca.mode is local");
  }

  @Test
  void disruptionBudgetTakesOneBound() {
    assertThatThrownBy(() -> ChartRender.chart().set("controlPlane.podDisruptionBudget.minAvailable", 1).yaml())
        .hasMessageContaining("podDisruptionBudget: set one of minAvailable and maxUnavailable, not both");
  }

  @Test
  void vaultApproleNeedsItsSecret() {
    assertThatThrownBy(() -> ChartRender.chart().set("ca.mode", "vault").set("ca.vault.auth.method", "approle").yaml())
        .hasMessageContaining("ca.vault.auth.secretName: \"\" (expected: a Secret holding the Vault approle credentials");
  }

  @Test
  void rootCertificateIsNotTheChartsToPublishBesideAControlPlane() {
    assertThatThrownBy(() -> ChartRender.chart().set("gateways.rootCertPem", TestRootCertificate.pem()).yaml())
        .hasMessageContaining("gateways.rootCertPem: set (expected: empty while controlPlane.enabled");
  }
}
