package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example values of a two-cluster multi-primary, multi-network mesh (values-east.yaml, values-west.yaml)
 * and of a primary-remote mesh's remote cluster (values-remote.yaml).
 */
class MultiClusterValuesTest {

  private static Manifests east;
  private static Manifests west;

  @BeforeAll
  static void render() {
    east = ChartRender.chart().values("values-east.yaml").render();
    west = ChartRender.chart().values("values-west.yaml").render();
  }

  private static JsonNode controlPlane(Manifests manifests) {
    return SettingsDocument.parse(manifests.configMapData("meshfed-control-plane", "control-plane.yaml"));
  }

  @Test
  void clustersShareTheMeshAndTrustButNotTheirIdsOrNetworks() {
    JsonNode e = controlPlane(east);
    JsonNode w = controlPlane(west);
    assertThat(e.path("meshId")).isEqualTo(w.path("meshId"));
    assertThat(e.path("trustDomain")).isEqualTo(w.path("trustDomain"));
    assertThat(e.path("ca").path("vault").path("address")).isEqualTo(w.path("ca").path("vault").path("address"));
    assertThat(e.path("ca").path("vault").path("pkiPath")).isEqualTo(w.path("ca").path("vault").path("pkiPath"));
    assertThat(e.path("clusterId").asText()).isEqualTo("east");
    assertThat(w.path("clusterId").asText()).isEqualTo("west");
    assertThat(e.path("network").asText()).isNotEqualTo(w.path("network").asText());
    assertThat(e.path("ca").path("vault").path("intermediatePath"))
        .isNotEqualTo(w.path("ca").path("vault").path("intermediatePath"));
  }

  @Test
  void eachControlPlaneFederatesWithTheOthersRelay() {
    assertThat(controlPlane(east).path("federation").path("members")).singleElement()
        .satisfies(member -> assertThat(member.asText()).contains("west").endsWith(":15015"));
    assertThat(controlPlane(west).path("federation").path("members")).singleElement()
        .satisfies(member -> assertThat(member.asText()).contains("east").endsWith(":15015"));
    for (Manifests cluster : new Manifests[] {east, west}) {
      assertThat(cluster.get(Service.class, "meshfed-control-plane-external").getSpec().getPorts())
          .anySatisfy(port -> assertThat(port.getPort()).isEqualTo(15015));
    }
  }

  @Test
  void eachEastWestGatewayCarriesItsOwnNetwork() {
    assertThat(east.get(Service.class, "meshfed-eastwestgateway").getMetadata().getLabels())
        .containsEntry("topology.istio.io/network", "network-east");
    assertThat(west.get(Service.class, "meshfed-eastwestgateway").getMetadata().getLabels())
        .containsEntry("topology.istio.io/network", "network-west");
    assertThat(SettingsDocument.parse(west.configMapData("meshfed-eastwestgateway", "gateway.yaml"))
        .path("network").asText()).isEqualTo("network-west");
  }

  @Test
  void remoteClusterRunsOnlyGatewaysDialingThePrimary() {
    String root = TestRootCertificate.pem();
    Manifests remote = ChartRender.chart().values("values-remote.yaml")
        .set("gateways.xdsAddress", "meshfed-xds.primary.example.com:15012")
        .set("gateways.rootCertPem", root)
        .render();
    assertThat(remote.find(Deployment.class, "meshfed-control-plane")).isEmpty();
    assertThat(remote.find(ConfigMap.class, "meshfed-control-plane")).isEmpty();
    assertThat(remote.find(ClusterRole.class, "meshfed-control-plane-" + ChartRender.NAMESPACE)).isEmpty();
    assertThat(remote.all(ValidatingWebhookConfiguration.class)).isEmpty();
    // The primary reads this cluster through the reader account.
    assertThat(remote.find(ClusterRole.class, "meshfed-reader-" + ChartRender.NAMESPACE)).isPresent();
    for (String role : new String[] {"eastwest", "ingress", "egress"}) {
      JsonNode settings = SettingsDocument.parse(remote.configMapData("meshfed-" + role + "gateway", "gateway.yaml"));
      assertThat(settings.path("xds").path("address").asText()).isEqualTo("meshfed-xds.primary.example.com:15012");
      assertThat(settings.path("clusterId").asText()).isEqualTo("remote");
    }
    String published = remote.configMapData("meshfed-ca-root-cert", "root-cert.pem");
    assertThat(published.strip()).isEqualTo(root.strip());
    assertThat(parsesAsCertificate(published)).isTrue();
  }

  @Test
  void remoteClusterWithoutThePrimarysAddressOrRootIsRefused() {
    assertThatThrownBy(() -> ChartRender.chart().values("values-remote.yaml").yaml())
        .hasMessageContaining("gateways.xdsAddress: \"\" (expected: the primary cluster's control plane address");
    assertThatThrownBy(() -> ChartRender.chart().values("values-remote.yaml")
        .set("gateways.xdsAddress", "meshfed-xds.primary.example.com:15012").yaml())
        .hasMessageContaining("gateways.rootCertPem: \"\" (expected: the mesh root certificate PEM");
  }

  private static boolean parsesAsCertificate(String pem) {
    try {
      CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
