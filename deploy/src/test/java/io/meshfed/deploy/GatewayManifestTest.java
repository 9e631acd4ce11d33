package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three gateways: Deployments, Services, probes, drain, token, network label. */
class GatewayManifestTest {

  private static Manifests defaults;

  @BeforeAll
  static void render() {
    defaults = ChartRender.chart().values("values-west.yaml").render();
  }

  private static Deployment deployment(Manifests manifests, String role) {
    return manifests.get(Deployment.class, "meshfed-" + role + "gateway");
  }

  private static Container container(Manifests manifests, String role) {
    return deployment(manifests, role).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Service service(String role) {
    return defaults.get(Service.class, "meshfed-" + role + "gateway");
  }

  private static Map<String, Integer> ports(Service service) {
    return service.getSpec().getPorts().stream()
        .collect(java.util.stream.Collectors.toMap(p -> p.getPort().toString(), p -> p.getTargetPort().getIntVal()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void runsItsRoleAndIsReadyOnTheHealthPort(String role) {
    Container container = container(defaults, role);
    assertThat(container.getArgs()).containsExactly("gateway", "--role", role, "--config", "/etc/meshfed/gateway.yaml");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz/ready");
    assertThat(container.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(15021));
    assertThat(container.getPorts()).extracting(ContainerPort::getContainerPort).contains(15021, 15090);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void prometheusScrapesEnvoysStatsPath(String role) {
    assertThat(deployment(defaults, role).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "15090")
        .containsEntry("prometheus.io/path", "/stats/prometheus");
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void terminationGraceCoversPreStopAndDrain(String role) {
    PodSpec pod = deployment(defaults, role).getSpec().getTemplate().getSpec();
    assertThat(container(defaults, role).getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "5");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(5L + 30L + 5L);
    String settings = defaults.configMapData("meshfed-" + role + "gateway", "gateway.yaml");
    assertThat(SettingsDocument.parse(settings).path("drainTimeout").asText()).isEqualTo("30s");
  }

  @Test
  void longerDrainLengthensTheGracePeriodAndTheSettingTogether() {
    Manifests slow = ChartRender.chart().set("gateways.drainTimeoutSeconds", 120).set("gateways.preStopDelaySeconds", 10)
        .render();
    assertThat(deployment(slow, "ingress").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(10L + 120L + 5L);
    assertThat(SettingsDocument.parse(slow.configMapData("meshfed-ingressgateway", "gateway.yaml"))
        .path("drainTimeout").asText()).isEqualTo("120s");
    Manifests noDelay = ChartRender.chart().set("gateways.preStopDelaySeconds", 0).render();
    assertThat(container(noDelay, "ingress").getLifecycle()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void presentsAProjectedTokenForTheCaAndNoApiToken(String role) {
    PodSpec pod = deployment(defaults, role).getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getServiceAccountName()).isEqualTo("meshfed-" + role + "gateway");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getProjected() != null).singleElement().satisfies(volume ->
        assertThat(volume.getProjected().getSources()).singleElement().satisfies(source -> {
          assertThat(source.getServiceAccountToken().getAudience()).isEqualTo("meshfed-ca");
          assertThat(source.getServiceAccountToken().getPath()).isEqualTo("meshfed-token");
          assertThat(source.getServiceAccountToken().getExpirationSeconds()).isEqualTo(43200L);
        }));
  }

  @Test
  void eastWestServiceIsTheNetworksLoadBalancerOn15443() {
    Service eastwest = service("eastwest");
    assertThat(eastwest.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(ports(eastwest)).isEqualTo(Map.of("15443", 15443, "15021", 15021));
    assertThat(eastwest.getMetadata().getLabels()).containsEntry("topology.istio.io/network", "network-west");
    assertThat(deployment(defaults, "eastwest").getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("topology.istio.io/network", "network-west")
        .containsEntry("istio", "eastwestgateway");
    // Only the east-west gateway is the network's gateway: the label elsewhere would mislead Istio.
    for (String role : List.of("ingress", "egress")) {
      assertThat(service(role).getMetadata().getLabels()).doesNotContainKey("topology.istio.io/network");
    }
    Service outbound = defaults.get(Service.class, "meshfed-eastwestgateway-outbound");
    assertThat(outbound.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(ports(outbound)).isEqualTo(Map.of("15001", 15001));
  }

  @Test
  void ingressServiceMapsIstiosPortsToTheNonRootListeners() {
    Service ingress = service("ingress");
    assertThat(ingress.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(ports(ingress)).isEqualTo(Map.of("80", 8080, "443", 8443, "15021", 15021));
    assertThat(ingress.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
  }

  @Test
  void egressServiceIsClusterInternal() {
    Service egress = service("egress");
    assertThat(egress.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(ports(egress)).isEqualTo(Map.of("80", 8080, "443", 8443));
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void serviceSelectsThePodsAndTargetsDeclaredContainerPorts(String role) {
    Deployment deployment = deployment(defaults, role);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(service(role).getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    List<Integer> containerPorts = container(defaults, role).getPorts().stream().map(ContainerPort::getContainerPort).toList();
    assertThat(service(role).getSpec().getPorts()).extracting(p -> p.getTargetPort().getIntVal())
        .allSatisfy(port -> assertThat(containerPorts).contains(port));
    assertThat(service(role).getSpec().getPorts()).extracting(ServicePort::getName).doesNotHaveDuplicates();
  }

  @Test
  void replicasSpreadAndDisruptionBudgetsFollowTheValues() {
    assertThat(deployment(defaults, "eastwest").getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment(defaults, "eastwest").getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution()).isNotEmpty();
    assertThat(defaults.get(PodDisruptionBudget.class, "meshfed-ingressgateway").getSpec().getMaxUnavailable())
        .isEqualTo(new IntOrString(1));
    // The single egress replica gets no budget by default: maxUnavailable would protect nothing.
    assertThat(defaults.find(PodDisruptionBudget.class, "meshfed-egressgateway")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"eastwest", "ingress", "egress"})
  void runsNonRootOnAReadOnlyRootFilesystem(String role) {
    Container container = container(defaults, role);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
  }

  @Test
  void aGatewayCanBeLeftOut() {
    Manifests noEgress = ChartRender.chart().set("gateways.egress.enabled", false).render();
    assertThat(noEgress.find(Deployment.class, "meshfed-egressgateway")).isEmpty();
    assertThat(noEgress.find(Service.class, "meshfed-egressgateway")).isEmpty();
    assertThat(noEgress.find(io.fabric8.kubernetes.api.model.ConfigMap.class, "meshfed-egressgateway")).isEmpty();
    assertThat(noEgress.find(io.fabric8.kubernetes.api.model.ServiceAccount.class, "meshfed-egressgateway")).isEmpty();
  }
}
