package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The `lookup` guard against a live API server: a server-side dry-run install (real Helm, fabric8's mock API
 * server) skips a CRD that Istio's release owns and keeps one this release installed earlier.
 *
 * <p>helm-java prints no manifest for an install, so the evidence is twofold: Helm's install refuses to render an
 * object that exists under another release ("invalid ownership metadata"), which {@link
 * #aRenderedForeignCrdStopsTheInstall} shows is live here, so an install that succeeds did not render the foreign
 * CRD; and NOTES.txt, which names each skipped CRD through the same helper as the CRD template.
 */
class CrdGuardTest {

  private static final String VIRTUAL_SERVICES = "virtualservices.networking.istio.io";
  private static final List<DiscoveringApiServer.Resource> ISTIO_VIRTUAL_SERVICES = List.of(
      new DiscoveringApiServer.Resource("networking.istio.io/v1", "virtualservices", "VirtualService", true));

  private static CustomResourceDefinition virtualServiceCrd(Map<String, String> annotations) throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(ChartRender.CHART.resolve(
        "files/crds/networking-virtualservices.yaml")), CustomResourceDefinition.class);
    crd.getMetadata().setAnnotations(annotations);
    crd.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "Helm"));
    return crd;
  }

  private static Release installDryRun(DiscoveringApiServer server) {
    return new Helm(ChartRender.CHART).install().withName(ChartRender.RELEASE).withNamespace(ChartRender.NAMESPACE)
        .dryRun().withDryRunOption(DryRun.SERVER).withKubeConfigContents(server.kubeconfig())
        // The mock serves no OpenAPI document to validate against.
        .disableOpenApiValidation()
        .call();
  }

  @Test
  void skipsACrdThatIstiosReleaseOwns() throws IOException {
    try (DiscoveringApiServer server = DiscoveringApiServer.start(ISTIO_VIRTUAL_SERVICES)) {
      server.client().resource(virtualServiceCrd(Map.of(
          "meta.helm.sh/release-name", "istio-base", "meta.helm.sh/release-namespace", "istio-system"))).create();
      Release release = installDryRun(server);
      assertThat(release.getOutput())
          .contains("CRD " + VIRTUAL_SERVICES + " already exists and is not this release's: left as it is.")
          .doesNotContain("CRD destinationrules.networking.istio.io already exists");
    }
  }

  @Test
  void aRenderedForeignCrdStopsTheInstall() throws IOException {
    // Discovery does not serve the group (say, the CRD is not established yet), so the guard does not look and
    // renders the CRD: Helm's ownership check then stops the install, as it would any rendered foreign CRD.
    try (DiscoveringApiServer server = DiscoveringApiServer.start(List.of())) {
      server.client().resource(virtualServiceCrd(Map.of(
          "meta.helm.sh/release-name", "istio-base", "meta.helm.sh/release-namespace", "istio-system"))).create();
      assertThatThrownBy(() -> installDryRun(server))
          .hasMessageContaining(VIRTUAL_SERVICES)
          .hasMessageContaining("invalid ownership metadata");
    }
  }

  @Test
  void keepsACrdThisReleaseInstalled() throws IOException {
    try (DiscoveringApiServer server = DiscoveringApiServer.start(ISTIO_VIRTUAL_SERVICES)) {
      server.client().resource(virtualServiceCrd(Map.of(
          "meta.helm.sh/release-name", ChartRender.RELEASE,
          "meta.helm.sh/release-namespace", ChartRender.NAMESPACE))).create();
      Release release = installDryRun(server);
      assertThat(release.getOutput()).doesNotContain("already exists and is not this release's");
    }
  }

  @Test
  void installsEveryCrdOnAClusterWithoutIstio() {
    try (DiscoveringApiServer server = DiscoveringApiServer.start(List.of())) {
      Release release = installDryRun(server);
      assertThat(release.getStatus()).isEqualTo("pending-install");
      assertThat(release.getOutput()).doesNotContain("already exists");
    }
  }
}
