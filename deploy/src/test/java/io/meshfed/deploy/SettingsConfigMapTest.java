package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's ConfigMaps render exactly the settings files of docs/configuration.md (same keys, same kinds of
 * value), from the values, and every file a setting names is mounted where the setting says.
 */
class SettingsConfigMapTest {

  private static final List<String> GATEWAYS = List.of("eastwest", "ingress", "egress");

  private static Manifests defaults;
  private static Manifests east;

  @BeforeAll
  static void render() {
    defaults = ChartRender.chart().render();
    east = ChartRender.chart().values("values-east.yaml").render();
  }

  private static JsonNode controlPlaneSettings(Manifests manifests) {
    return SettingsDocument.parse(manifests.configMapData("meshfed-control-plane", "control-plane.yaml"));
  }

  private static JsonNode gatewaySettings(Manifests manifests, String role) {
    return SettingsDocument.parse(manifests.configMapData("meshfed-" + role + "gateway", "gateway.yaml"));
  }

  @Test
  void controlPlaneSettingsHaveExactlyTheDocumentedKeys() {
    Map<String, String> documented = SettingsDocument.shape(SettingsDocument.example("Control plane"));
    assertThat(documented).containsKeys("ca.vault.auth.tokenFile", "federation.members", "webhook.address");
    assertThat(SettingsDocument.shape(controlPlaneSettings(defaults))).isEqualTo(documented);
    assertThat(SettingsDocument.shape(controlPlaneSettings(east))).isEqualTo(documented);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void gatewaySettingsHaveExactlyTheDocumentedKeys(String role) {
    Map<String, String> documented = SettingsDocument.shape(SettingsDocument.example("Gateways"));
    assertThat(documented).containsKeys("xds.tokenFile", "drainTimeout", "accessLog.sampling");
    assertThat(SettingsDocument.shape(gatewaySettings(defaults, role))).isEqualTo(documented);
  }

  /** The gateway process reads the chart's file as rendered: the settings reader and the chart agree. */
  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void gatewayProcessReadsTheChartsSettings(String role) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("gateway-" + role, ".yaml");
    try {
      java.nio.file.Files.writeString(file, east.configMapData("meshfed-" + role + "gateway", "gateway.yaml"));
      io.meshfed.control.client.gateway.GatewaySettings settings =
          io.meshfed.control.client.gateway.GatewaySettingsReader.read(
              io.meshfed.control.client.xds.GatewayRole.fromMetadata(role).orElseThrow(), file, Map.of());
      assertThat(settings.name()).isEqualTo("meshfed-" + role + "gateway");
      assertThat(settings.clusterId()).isEqualTo("east");
      assertThat(settings.xds().mtls()).isTrue();
      assertThat(settings.xds().port()).isEqualTo(15012);
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void controlPlaneSettingsComeFromTheValues() {
    JsonNode settings = controlPlaneSettings(east);
    assertThat(settings.path("meshId").asText()).isEqualTo("mesh1");
    assertThat(settings.path("clusterId").asText()).isEqualTo("east");
    assertThat(settings.path("network").asText()).isEqualTo("network-east");
    assertThat(settings.path("trustDomain").asText()).isEqualTo("cluster.local");
    assertThat(settings.path("systemNamespace").asText()).isEqualTo(ChartRender.NAMESPACE);
    assertThat(settings.path("locality").path("region").asText()).isEqualTo("us-east1");
    assertThat(settings.path("ca").path("mode").asText()).isEqualTo("vault");
    assertThat(settings.path("ca").path("vault").path("address").asText()).isEqualTo("https://vault.example.com:8200");
    assertThat(settings.path("ca").path("vault").path("intermediatePath").asText()).isEqualTo("pki_int_east");
    assertThat(settings.path("ca").path("vault").path("auth").path("role").asText()).isEqualTo("meshfed-east");
    assertThat(settings.path("federation").path("members")).extracting(JsonNode::asText)
        .containsExactly("west=meshfed-federation.west.example.com:15015");
    assertThat(settings.path("xds").path("plaintextAddress").asText()).isEqualTo("127.0.0.1:15010");
    assertThat(settings.path("admin").path("address").asText()).isEqualTo("0.0.0.0:15014");
    assertThat(settings.path("webhook").path("address").asText()).isEqualTo("0.0.0.0:15017");
  }

  @Test
  void gatewaySettingsNameTheWorkloadItsLabelsAndTheControlPlane() {
    for (String role : GATEWAYS) {
      String name = "meshfed-" + role + "gateway";
      JsonNode settings = gatewaySettings(east, role);
      Deployment deployment = east.get(Deployment.class, name);
      assertThat(settings.path("name").asText()).isEqualTo(name);
      assertThat(settings.path("namespace").asText()).isEqualTo(ChartRender.NAMESPACE);
      assertThat(settings.path("clusterId").asText()).isEqualTo("east");
      assertThat(settings.path("network").asText()).isEqualTo("network-east");
      assertThat(settings.path("serviceAccount").asText())
          .isEqualTo(deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
      // Istio Gateway resources select gateways by these labels, so the pods must carry them.
      settings.path("labels").fields().forEachRemaining(label -> assertThat(
          deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(label.getKey(), label.getValue().asText()));
      assertThat(settings.path("xds").path("address").asText()).isEqualTo("meshfed-control-plane.meshfed-system:15012");
      assertThat(settings.path("ports").path("health").asInt()).isEqualTo(15021);
      assertThat(settings.path("ports").path("metrics").asInt()).isEqualTo(15090);
    }
    assertThat(gatewaySettings(east, "ingress").path("labels").path("istio").asText()).isEqualTo("ingressgateway");
  }

  @Test
  void everyFileTheSettingsNameIsMountedInThePod() {
    Deployment controlPlane = east.get(Deployment.class, "meshfed-control-plane");
    JsonNode settings = controlPlaneSettings(east);
    assertThat(mountFor(controlPlane, "/etc/meshfed/control-plane.yaml")).isPresent();
    assertThat(mountFor(controlPlane, settings.path("dataDir").asText())).isPresent();
    // values-east.yaml gives Vault its own token audience: a projected token at the path the settings name.
    String tokenFile = settings.path("ca").path("vault").path("auth").path("tokenFile").asText();
    assertThat(tokenFile).isEqualTo("/var/run/secrets/tokens/vault-token");
    Volume tokenVolume = volumeMountedAt(controlPlane, tokenFile);
    assertThat(tokenVolume.getProjected().getSources()).singleElement().satisfies(source -> {
      assertThat(source.getServiceAccountToken().getAudience()).isEqualTo("vault");
      assertThat("/var/run/secrets/tokens/" + source.getServiceAccountToken().getPath()).isEqualTo(tokenFile);
    });

    for (String role : GATEWAYS) {
      Deployment gateway = east.get(Deployment.class, "meshfed-" + role + "gateway");
      JsonNode gatewaySettings = gatewaySettings(east, role);
      assertThat(mountFor(gateway, "/etc/meshfed/gateway.yaml")).isPresent();
      String gatewayToken = gatewaySettings.path("xds").path("tokenFile").asText();
      Volume token = volumeMountedAt(gateway, gatewayToken);
      assertThat(token.getProjected().getSources()).singleElement().satisfies(source ->
          assertThat(gatewayToken).endsWith("/" + source.getServiceAccountToken().getPath()));
      Volume rootCert = volumeMountedAt(gateway, gatewaySettings.path("xds").path("caCertFile").asText());
      assertThat(rootCert.getConfigMap().getName()).isEqualTo("meshfed-ca-root-cert");
      assertThat(rootCert.getConfigMap().getItems()).singleElement()
          .satisfies(item -> assertThat(gatewaySettings.path("xds").path("caCertFile").asText()).endsWith("/" + item.getPath()));
    }
  }

  @Test
  void defaultVaultSettingsUseThePodsOwnServiceAccountToken() {
    JsonNode auth = controlPlaneSettings(defaults).path("ca").path("vault").path("auth");
    assertThat(auth.path("tokenFile").asText()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount/token");
    assertThat(auth.path("roleIdFile").asText()).isEmpty();
  }

  @Test
  void approleCredentialsComeFromTheNamedSecret() {
    Manifests approle = ChartRender.chart()
        .set("ca.mode", "vault").set("ca.vault.auth.method", "approle").set("ca.vault.auth.secretName", "vault-approle")
        .render();
    JsonNode auth = controlPlaneSettings(approle).path("ca").path("vault").path("auth");
    Deployment controlPlane = approle.get(Deployment.class, "meshfed-control-plane");
    assertThat(volumeMountedAt(controlPlane, auth.path("roleIdFile").asText()).getSecret().getSecretName())
        .isEqualTo("vault-approle");
    assertThat(volumeMountedAt(controlPlane, auth.path("secretIdFile").asText()).getSecret().getSecretName())
        .isEqualTo("vault-approle");
    assertThat(auth.path("tokenFile").asText()).isEmpty();
  }

  @Test
  void disabledWebhookLeavesItsAddressEmpty() {
    Manifests noWebhook = ChartRender.chart().set("webhook.enabled", false).render();
    assertThat(controlPlaneSettings(noWebhook).path("webhook").path("address").asText()).isEmpty();
  }

  /** Istio's meshConfig values render into the settings the control plane reads as extension providers. */
  @Test
  void meshConfigValuesReachTheControlPlanesSettings() throws Exception {
    Manifests withProvider = ChartRender.chart()
        .set("meshConfig.extensionProviders[0].name", "sample-ext-authz")
        .set("meshConfig.extensionProviders[0].envoyExtAuthzHttp.service", "ext-authz.foo.svc.cluster.local")
        .set("meshConfig.extensionProviders[0].envoyExtAuthzHttp.port", 8000)
        .set("meshConfig.extensionProviders[0].envoyExtAuthzHttp.failOpen", true)
        .set("meshConfig.defaultConfig.tracing.sampling", 5)
        .render();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("control-plane", ".yaml");
    try {
      java.nio.file.Files.writeString(file, withProvider.configMapData("meshfed-control-plane", "control-plane.yaml"));
      io.meshfed.control.plane.runtime.ControlPlaneSettings.MeshConfig mesh =
          io.meshfed.control.plane.runtime.ControlPlaneSettings.load(file, Map.of()).meshConfig();
      assertThat(mesh.extensionProviders()).singleElement().satisfies(provider -> {
        assertThat(provider.name()).isEqualTo("sample-ext-authz");
        assertThat(provider.service()).isEqualTo("ext-authz.foo.svc.cluster.local");
        assertThat(provider.port()).isEqualTo(8000);
        assertThat(provider.failOpen()).isTrue();
      });
      assertThat(mesh.tracingSampling()).isEqualTo(5.0);
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
    assertThat(checksum(withProvider, "meshfed-control-plane")).isNotEqualTo(checksum(defaults,
        "meshfed-control-plane"));
  }

  @Test
  void changedSettingsRollThePods() {
    Manifests changed = ChartRender.chart().set("federation.leaseGrace", "90s").render();
    assertThat(checksum(changed, "meshfed-control-plane")).isNotEqualTo(checksum(defaults, "meshfed-control-plane"));
    assertThat(checksum(changed, "meshfed-ingressgateway")).isEqualTo(checksum(defaults, "meshfed-ingressgateway"));
  }

  private static String checksum(Manifests manifests, String deployment) {
    return manifests.get(Deployment.class, deployment).getSpec().getTemplate().getMetadata().getAnnotations()
        .get("checksum/settings");
  }

  /** The mount whose mountPath is the path itself or one of its parent directories. */
  private static Optional<VolumeMount> mountFor(Deployment deployment, String path) {
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .findFirst();
  }

  private static Volume volumeMountedAt(Deployment deployment, String path) {
    VolumeMount mount = mountFor(deployment, path)
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path + " in " + deployment.getMetadata().getName()));
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("volume " + mount.getName() + " not declared"));
  }
}
