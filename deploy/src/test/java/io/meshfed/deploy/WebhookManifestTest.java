package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The ValidatingWebhookConfiguration pointing at the control plane's :15017, in both caBundle modes. */
class WebhookManifestTest {

  private static final String NAME = "meshfed-validator-" + ChartRender.NAMESPACE;

  private static ValidatingWebhook webhook(Manifests manifests) {
    return manifests.get(ValidatingWebhookConfiguration.class, NAME).getWebhooks().get(0);
  }

  @Test
  void pointsAtTheControlPlaneServiceOnTheWebhookPort() {
    Manifests defaults = ChartRender.chart().render();
    ValidatingWebhook webhook = webhook(defaults);
    assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("meshfed-control-plane");
    assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(ChartRender.NAMESPACE);
    assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/validate");
    assertThat(webhook.getClientConfig().getService().getPort()).isEqualTo(15017);
    assertThat(webhook.getClientConfig().getUrl()).isNull();
    // The Service forwards 15017 to the container's 15017, where the settings file binds the webhook.
    assertThat(defaults.get(Service.class, "meshfed-control-plane").getSpec().getPorts())
        .anySatisfy(port -> {
          assertThat(port.getPort()).isEqualTo(15017);
          assertThat(port.getTargetPort().getIntVal()).isEqualTo(15017);
        });
    assertThat(SettingsDocument.parse(defaults.configMapData("meshfed-control-plane", "control-plane.yaml"))
        .path("webhook").path("address").asText()).endsWith(":15017");
  }

  @Test
  void reviewsCreatesAndUpdatesOfTheIstioSubsetAndServiceExports() {
    ValidatingWebhook webhook = webhook(ChartRender.chart().render());
    Set<String> reviewed = new TreeSet<>();
    for (RuleWithOperations rule : webhook.getRules()) {
      assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE");
      assertThat(rule.getApiVersions()).containsExactly("*");
      rule.getApiGroups().forEach(group -> rule.getResources().forEach(resource -> reviewed.add(group + "/" + resource)));
    }
    assertThat(reviewed).containsExactlyInAnyOrder(
        "networking.istio.io/virtualservices", "networking.istio.io/destinationrules", "networking.istio.io/gateways",
        "networking.istio.io/serviceentries", "security.istio.io/peerauthentications",
        "security.istio.io/authorizationpolicies", "security.istio.io/requestauthentications",
        "multicluster.x-k8s.io/serviceexports");
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(webhook.getMatchPolicy()).isEqualTo("Equivalent");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
  }

  @Test
  void controlPlaneModeLeavesCaBundleToTheControlPlaneAndStartsOpen() {
    ValidatingWebhook webhook = webhook(ChartRender.chart().render());
    // Rendering a caBundle would blank the one the control plane patched in at every upgrade.
    assertThat(webhook.getClientConfig().getCaBundle()).isNull();
    assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(ChartRender.chart().set("webhook.failurePolicy", "Fail").render()
        .get(ValidatingWebhookConfiguration.class, NAME).getWebhooks().get(0).getFailurePolicy()).isEqualTo("Fail");
  }

  @Test
  void certManagerModeIssuesTheServingCertificateAndInjectsItsCa() {
    Manifests certManager = ChartRender.chart()
        .set("webhook.caBundle", "certManager")
        .set("webhook.certManager.issuerRef.name", "mesh-issuer")
        .set("webhook.certManager.issuerRef.kind", "ClusterIssuer")
        .render();
    ValidatingWebhookConfiguration configuration = certManager.get(ValidatingWebhookConfiguration.class, NAME);
    assertThat(configuration.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", ChartRender.NAMESPACE + "/meshfed-webhook-tls");
    assertThat(configuration.getWebhooks().get(0).getFailurePolicy()).isEqualTo("Fail");

    GenericKubernetesResource certificate = certManager.get(GenericKubernetesResource.class, "meshfed-webhook-tls");
    assertThat(certificate.getApiVersion()).isEqualTo("cert-manager.io/v1");
    assertThat(certificate.getKind()).isEqualTo("Certificate");
    Map<String, Object> spec = certificate.get("spec");
    assertThat(spec).containsEntry("secretName", "meshfed-webhook-tls");
    assertThat((List<String>) spec.get("dnsNames")).contains("meshfed-control-plane.meshfed-system.svc");
    assertThat((Map<String, Object>) spec.get("issuerRef")).containsEntry("name", "mesh-issuer")
        .containsEntry("kind", "ClusterIssuer");

    Deployment controlPlane = certManager.get(Deployment.class, "meshfed-control-plane");
    assertThat(controlPlane.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
        .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/meshfed/webhook"));
    assertThat(controlPlane.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(volume -> assertThat(volume.getSecret()).isNotNull()
            .satisfies(secret -> assertThat(secret.getSecretName()).isEqualTo("meshfed-webhook-tls")));
  }

  @Test
  void certManagerModeNeedsAnIssuer() {
    assertThatThrownBy(() -> ChartRender.chart().set("webhook.caBundle", "certManager").yaml())
        .hasMessageContaining("webhook.certManager.issuerRef.name: \"\" (expected: the cert-manager Issuer");
  }

  @Test
  void disabledWebhookRendersNoConfigurationAndNoPort() {
    Manifests disabled = ChartRender.chart().set("webhook.enabled", false).render();
    assertThat(disabled.all(ValidatingWebhookConfiguration.class)).isEmpty();
    assertThat(disabled.get(Service.class, "meshfed-control-plane").getSpec().getPorts())
        .noneSatisfy(port -> assertThat(port.getPort()).isEqualTo(15017));
  }
}
