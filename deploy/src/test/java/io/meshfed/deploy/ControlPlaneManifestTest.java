package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The control plane's Deployment, Services and PodDisruptionBudget. */
class ControlPlaneManifestTest {

  private static final String NAME = "meshfed-control-plane";

  private static Manifests defaults;
  private static Manifests east;

  @BeforeAll
  static void render() {
    defaults = ChartRender.chart().render();
    east = ChartRender.chart().values("values-east.yaml").render();
  }

  private static PodSpec pod(Manifests manifests) {
    return manifests.get(Deployment.class, NAME).getSpec().getTemplate().getSpec();
  }

  private static Container container(Manifests manifests) {
    return pod(manifests).getContainers().get(0);
  }

  @Test
  void runsTheControlPlaneRoleOfTheImage() {
    Container container = container(defaults);
    assertThat(container.getImage()).isEqualTo("meshfed/meshfed:0.1.0");
    assertThat(container.getArgs()).containsExactly("control-plane", "--config", "/etc/meshfed/control-plane.yaml");
    assertThat(pod(defaults).getServiceAccountName()).isEqualTo(NAME);
  }

  @Test
  void readinessIsTheAdminPortsReadyEndpoint() {
    Container container = container(defaults);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(container.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(15014));
    assertThat(container.getPorts()).extracting(ContainerPort::getContainerPort).contains(15014);
  }

  @Test
  void prometheusScrapesTheAdminPortsMetrics() {
    Map<String, String> annotations =
        defaults.get(Deployment.class, NAME).getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "15014")
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void servesTheIstioAlignedPortsAndNeverTheLoopbackOnes() {
    assertThat(container(defaults).getPorts()).extracting(ContainerPort::getContainerPort)
        .containsExactlyInAnyOrder(15012, 15014, 15015, 15017);
    Service service = defaults.get(Service.class, NAME);
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort)
        .containsExactlyInAnyOrder(15012, 15014, 15015, 15017)
        .doesNotContain(15010, 5701);
    assertThat(service.getSpec().getSelector())
        .isEqualTo(defaults.get(Deployment.class, NAME).getSpec().getSelector().getMatchLabels());
    assertThat(defaults.find(Service.class, NAME + "-external")).isEmpty();
  }

  @Test
  void exposedToOtherClustersOnlyOnItsMutualTlsPorts() {
    Service external = east.get(Service.class, NAME + "-external");
    assertThat(external.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(external.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactlyInAnyOrder(15012, 15015);
  }

  @Test
  void singleReplicaWithTheLocalCaByDefaultAndTwoSpreadOverNodesWithVault() {
    assertThat(defaults.get(Deployment.class, NAME).getSpec().getReplicas()).isEqualTo(1);
    assertThat(pod(defaults).getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement().satisfies(term -> {
          assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
          assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
              .isEqualTo(defaults.get(Deployment.class, NAME).getSpec().getSelector().getMatchLabels());
        });

    assertThat(east.get(Deployment.class, NAME).getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod(east).getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement().satisfies(term -> assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(east.get(Deployment.class, NAME).getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
  }

  @Test
  void antiAffinityCanBeTurnedOff() {
    assertThat(pod(ChartRender.chart().set("controlPlane.antiAffinity", "none").render()).getAffinity()).isNull();
  }

  @Test
  void disruptionBudgetKeepsAtMostOneReplicaDown() {
    PodDisruptionBudget budget = defaults.get(PodDisruptionBudget.class, NAME);
    assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(budget.getSpec().getMinAvailable()).isNull();
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(defaults.get(Deployment.class, NAME).getSpec().getSelector().getMatchLabels());
    PodDisruptionBudget minAvailable = ChartRender.chart()
        .set("controlPlane.podDisruptionBudget.maxUnavailable", "null")
        .set("controlPlane.podDisruptionBudget.minAvailable", "50%")
        .render().get(PodDisruptionBudget.class, NAME);
    assertThat(minAvailable.getSpec().getMinAvailable()).isEqualTo(new IntOrString("50%"));
    assertThat(minAvailable.getSpec().getMaxUnavailable()).isNull();
  }

  @Test
  void resourcesComeFromTheValues() {
    Container container = container(defaults);
    assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"))
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("1Gi"));
    Container tuned = container(ChartRender.chart().set("controlPlane.resources.requests.cpu", "2").render());
    assertThat(tuned.getResources().getRequests()).containsEntry("cpu", new Quantity("2"));
  }

  @Test
  void runsNonRootOnAReadOnlyRootFilesystemWithWritableTmpAndData() {
    PodSpec pod = pod(defaults);
    Container container = container(defaults);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).anySatisfy(v -> {
        assertThat(v.getName()).isEqualTo(m.getName());
        assertThat(v.getEmptyDir()).isNotNull();
      });
    });
    assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/meshfed"));
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
  }

  @Test
  void keepsALocalCaOnAClaimAndThenRecreatesRatherThanRolls() {
    Manifests claimed = ChartRender.chart().set("controlPlane.dataDirClaim", "meshfed-data").render();
    Deployment deployment = claimed.get(Deployment.class, NAME);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v ->
        assertThat(v.getPersistentVolumeClaim()).isNotNull()
            .satisfies(claim -> assertThat(claim.getClaimName()).isEqualTo("meshfed-data")));
  }

  @Test
  void jvmReadsTheImagesControlPlaneOptionsThenTheChartsOwn() {
    assertThat(container(defaults).getEnv()).filteredOn(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
        .extracting(EnvVar::getValue).containsExactly("@/opt/meshfed/control-plane.jvm");
    Manifests tuned = ChartRender.chart().set("controlPlane.jvmOptions", "-XX:MaxTenuringThreshold=2").render();
    assertThat(container(tuned).getEnv()).filteredOn(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
        .extracting(EnvVar::getValue).containsExactly("@/opt/meshfed/control-plane.jvm -XX:MaxTenuringThreshold=2");
  }

  @Test
  void downwardApiGivesThePodItsIdentity() {
    assertThat(container(defaults).getEnv()).filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
        .contains("POD_NAME=metadata.name", "POD_NAMESPACE=metadata.namespace", "POD_IP=status.podIP");
  }
}
