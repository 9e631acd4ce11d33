package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Istio-subset and MCS CRDs: names, versions, structural schemas, and the install switch. */
class CrdManifestTest {

  private static final Set<String> NETWORKING = Set.of("virtualservices", "destinationrules", "gateways", "serviceentries");
  private static final Set<String> SECURITY = Set.of("peerauthentications", "authorizationpolicies", "requestauthentications");

  private static Map<String, CustomResourceDefinition> crds;

  @BeforeAll
  static void render() {
    crds = ChartRender.chart().render().all(CustomResourceDefinition.class).stream()
        .collect(Collectors.toMap(crd -> crd.getMetadata().getName(), crd -> crd));
  }

  @Test
  void rendersTheIstioSubsetAndServiceExport() {
    Set<String> expected = Stream.concat(
        Stream.concat(NETWORKING.stream().map(p -> p + ".networking.istio.io"), SECURITY.stream().map(p -> p + ".security.istio.io")),
        Stream.of("serviceexports.multicluster.x-k8s.io")).collect(Collectors.toSet());
    assertThat(crds.keySet()).isEqualTo(expected);
  }

  @Test
  void istioKindsAreServedAsIstioServesThemWithV1Stored() {
    for (CustomResourceDefinition crd : crds.values()) {
      String group = crd.getSpec().getGroup();
      if (!group.endsWith(".istio.io")) {
        continue;
      }
      List<String> versions = crd.getSpec().getVersions().stream().map(CustomResourceDefinitionVersion::getName).toList();
      assertThat(versions).as(crd.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(
          group.equals("networking.istio.io") ? List.of("v1", "v1beta1", "v1alpha3") : List.of("v1", "v1beta1"));
      assertThat(crd.getSpec().getVersions()).allSatisfy(v -> assertThat(v.getServed()).isTrue());
      assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage)
          .extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1");
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getNames().getCategories()).contains("istio-io");
    }
    assertThat(crds.get("virtualservices.networking.istio.io").getSpec().getNames().getShortNames()).containsExactly("vs");
    assertThat(crds.get("destinationrules.networking.istio.io").getSpec().getNames().getShortNames()).containsExactly("dr");
  }

  @Test
  void serviceExportIsTheMcsV1alpha1Kind() {
    CustomResourceDefinition serviceExport = crds.get("serviceexports.multicluster.x-k8s.io");
    assertThat(serviceExport.getSpec().getNames().getKind()).isEqualTo("ServiceExport");
    assertThat(serviceExport.getSpec().getVersions()).singleElement().satisfies(v -> {
      assertThat(v.getName()).isEqualTo("v1alpha1");
      assertThat(v.getStorage()).isTrue();
      assertThat(v.getSubresources().getStatus()).isNotNull();
      JSONSchemaProps conditions = v.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties()
          .get("conditions");
      assertThat(conditions.getXKubernetesListType()).isEqualTo("map");
      assertThat(conditions.getXKubernetesListMapKeys()).containsExactly("type");
    });
  }

  @Test
  void schemasAreStructuralAndKeepUnknownSpecFields() {
    for (CustomResourceDefinition crd : crds.values()) {
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        String where = crd.getMetadata().getName() + " " + version.getName();
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        assertThat(root.getType()).as(where).isEqualTo("object");
        List<String> untyped = new ArrayList<>();
        untypedNodes("", root, untyped);
        assertThat(untyped).as("schema nodes without a type in %s", where).isEmpty();
        if (crd.getSpec().getGroup().endsWith(".istio.io")) {
          JSONSchemaProps spec = root.getProperties().get("spec");
          assertThat(spec.getXKubernetesPreserveUnknownFields()).as(where).isTrue();
          assertThat(spec.getProperties()).as(where).isNotEmpty();
          assertThat(root.getRequired()).containsExactly("spec");
        }
      }
    }
  }

  /** Structural schemas (Kubernetes "CRD structural schema" rules) give every node a type. */
  private static void untypedNodes(String path, JSONSchemaProps node, List<String> untyped) {
    if (node.getType() == null && !Boolean.TRUE.equals(node.getXKubernetesIntOrString())) {
      untyped.add(path.isEmpty() ? "<root>" : path);
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) -> untypedNodes(path + "." + name, child, untyped));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      untypedNodes(path + "[]", node.getItems().getSchema(), untyped);
    }
    if (node.getAdditionalProperties() != null && node.getAdditionalProperties().getSchema() != null) {
      untypedNodes(path + "{}", node.getAdditionalProperties().getSchema(), untyped);
    }
  }

  @Test
  void keptOnUninstallAndLabelledAsThisRelease() {
    for (CustomResourceDefinition crd : crds.values()) {
      assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
      assertThat(crd.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "meshfed");
    }
    assertThat(ChartRender.chart().set("crds.keep", false).render().all(CustomResourceDefinition.class))
        .allSatisfy(crd -> assertThat(crd.getMetadata().getAnnotations()).isNullOrEmpty());
  }

  @Test
  void switchedOffWhenIstioOrAnotherToolOwnsThem() {
    assertThat(ChartRender.chart().set("crds.install", false).render().all(CustomResourceDefinition.class)).isEmpty();
  }

  @Test
  void crdFilesApplyOnTheirOwnWithKubectl() throws IOException {
    // files/crds/ doubles as `kubectl apply -f deploy/helm/meshfed/files/crds/` for installs without Helm.
    try (Stream<Path> files = Files.list(ChartRender.CHART.resolve("files").resolve("crds"))) {
      List<Path> paths = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(paths).hasSize(crds.size());
      for (Path path : paths) {
        HasMetadata crd = Serialization.unmarshal(Files.readString(path));
        assertThat(crd).isInstanceOf(CustomResourceDefinition.class);
        assertThat(crds).containsKey(crd.getMetadata().getName());
      }
    }
  }

  @Test
  void servesEveryIstioSampleKindAtTheVersionTheSampleUses() throws IOException {
    Optional<Path> samples = IstioSamples.directory();
    Assumptions.assumeTrue(samples.isPresent(), "Istio samples not found beside the repository (shared/istio-samples)");
    List<String> checked = new ArrayList<>();
    try (Stream<Path> files = Files.walk(samples.get())) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
          Map<String, Object> object = SettingsDocument.parse(document).isObject()
              ? Serialization.unmarshal(document, Map.class) : Map.of();
          String apiVersion = String.valueOf(object.get("apiVersion"));
          if (!apiVersion.contains("istio.io/") && !apiVersion.startsWith("multicluster.x-k8s.io/")) {
            continue;
          }
          String kind = String.valueOf(object.get("kind"));
          String group = apiVersion.substring(0, apiVersion.indexOf('/'));
          String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
          assertThat(crds.values()).as("%s %s in %s", apiVersion, kind, file).anySatisfy(crd -> {
            assertThat(crd.getSpec().getGroup()).isEqualTo(group);
            assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
            assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName).contains(version);
          });
          checked.add(kind);
        }
      }
    }
    assertThat(checked).contains("VirtualService", "DestinationRule", "Gateway", "ServiceEntry");
  }
}
