package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RBAC is exactly least privilege: every permission the chart grants is listed here, one grant per
 * (apiGroup, resource, resourceName, verb), so a widened rule fails this test.
 */
class RbacManifestTest {

  private static final String NS = ChartRender.NAMESPACE;
  private static final List<String> READ = List.of("get", "list", "watch");

  private static Manifests defaults;

  @BeforeAll
  static void render() {
    defaults = ChartRender.chart().render();
  }

  /** One permission: apiGroup/resource[/name]:verb. */
  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getNonResourceURLs()).as("non-resource URLs").isNullOrEmpty();
      List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
          ? List.of("") : rule.getResourceNames();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            for (String verb : rule.getVerbs()) {
              grants.add(group + "/" + resource + (name.isEmpty() ? "" : "/" + name) + ":" + verb);
            }
          }
        }
      }
    }
    return grants;
  }

  private static Stream<String> read(String group, String... resources) {
    return Stream.of(resources).flatMap(r -> READ.stream().map(v -> group + "/" + r + ":" + v));
  }

  private static Set<String> set(Stream<String>... parts) {
    Set<String> set = new TreeSet<>();
    for (Stream<String> part : parts) {
      part.forEach(set::add);
    }
    return set;
  }

  @Test
  void controlPlaneReadsWhatItWatchesClusterWideAndCreatesTokenReviews() {
    ClusterRole role = defaults.get(ClusterRole.class, "meshfed-control-plane-" + NS);
    assertThat(grants(role.getRules())).isEqualTo(set(
        read("", "services", "pods", "namespaces", "serviceaccounts", "nodes"),
        read("discovery.k8s.io", "endpointslices"),
        read("multicluster.x-k8s.io", "serviceexports"),
        read("networking.istio.io", "virtualservices", "destinationrules", "gateways", "serviceentries"),
        read("security.istio.io", "peerauthentications", "authorizationpolicies", "requestauthentications"),
        Stream.of("authentication.k8s.io/tokenreviews:create"),
        // caBundle mode controlPlane: its own webhook configuration, by name only.
        Stream.of("get", "update", "patch").map(v ->
            "admissionregistration.k8s.io/validatingwebhookconfigurations/meshfed-validator-" + NS + ":" + v)));
  }

  @Test
  void secretsOnlyInTheSystemNamespace() {
    Role role = defaults.get(Role.class, "meshfed-control-plane");
    assertThat(role.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(grants(role.getRules())).isEqualTo(set(
        read("", "secrets"),
        Stream.of("/configmaps:create"),
        Stream.of("get", "list", "watch", "update", "patch").map(v -> "/configmaps/meshfed-ca-root-cert:" + v)));
    for (ClusterRole clusterRole : defaults.all(ClusterRole.class)) {
      assertThat(grants(clusterRole.getRules())).as(clusterRole.getMetadata().getName())
          .noneMatch(grant -> grant.startsWith("/secrets"));
    }
  }

  @Test
  void noWildcardsAndNoWritesOutsideTheListedOnes() {
    Stream.concat(defaults.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
        defaults.all(Role.class).stream().flatMap(r -> r.getRules().stream())).forEach(rule -> {
          assertThat(rule.getApiGroups()).doesNotContain("*");
          assertThat(rule.getResources()).doesNotContain("*");
          assertThat(rule.getVerbs()).doesNotContain("*", "delete", "deletecollection", "escalate", "bind", "impersonate");
        });
  }

  @Test
  void certManagerModeDropsTheWebhookPatchPermission() {
    Manifests certManager = ChartRender.chart()
        .set("webhook.caBundle", "certManager").set("webhook.certManager.issuerRef.name", "mesh-issuer").render();
    assertThat(grants(certManager.get(ClusterRole.class, "meshfed-control-plane-" + NS).getRules()))
        .noneMatch(grant -> grant.startsWith("admissionregistration.k8s.io"));
  }

  @Test
  void gatewaysHaveNoKubernetesApiAccess() {
    Set<String> gatewayAccounts = Set.of("meshfed-eastwestgateway", "meshfed-ingressgateway", "meshfed-egressgateway");
    for (String account : gatewayAccounts) {
      assertThat(defaults.get(ServiceAccount.class, account).getAutomountServiceAccountToken()).isFalse();
    }
    Stream.concat(defaults.all(ClusterRoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()),
            defaults.all(RoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()))
        .map(Subject::getName)
        .forEach(subject -> assertThat(gatewayAccounts).doesNotContain(subject));
  }

  @Test
  void bindingsTieEachRoleToItsOwnAccount() {
    ClusterRoleBinding controlPlane = defaults.get(ClusterRoleBinding.class, "meshfed-control-plane-" + NS);
    assertThat(controlPlane.getRoleRef().getName()).isEqualTo("meshfed-control-plane-" + NS);
    assertThat(controlPlane.getSubjects()).singleElement().satisfies(subject -> {
      assertThat(subject.getKind()).isEqualTo("ServiceAccount");
      assertThat(subject.getName()).isEqualTo("meshfed-control-plane");
      assertThat(subject.getNamespace()).isEqualTo(NS);
    });
    RoleBinding secrets = defaults.get(RoleBinding.class, "meshfed-control-plane");
    assertThat(secrets.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(secrets.getSubjects()).extracting(Subject::getName).containsExactly("meshfed-control-plane");
    ClusterRoleBinding reader = defaults.get(ClusterRoleBinding.class, "meshfed-reader-" + NS);
    assertThat(reader.getRoleRef().getName()).isEqualTo("meshfed-reader-" + NS);
    assertThat(reader.getSubjects()).extracting(Subject::getName).containsExactly("meshfed-reader");
  }

  @Test
  void remoteReaderOnlyReadsDiscoveryObjectsAndChecksTokens() {
    ClusterRole reader = defaults.get(ClusterRole.class, "meshfed-reader-" + NS);
    assertThat(grants(reader.getRules())).isEqualTo(set(
        read("", "services", "pods", "namespaces", "serviceaccounts", "nodes"),
        read("discovery.k8s.io", "endpointslices"),
        read("multicluster.x-k8s.io", "serviceexports"),
        Stream.of("authentication.k8s.io/tokenreviews:create")));
    Secret token = defaults.get(Secret.class, "meshfed-reader-token");
    assertThat(token.getType()).isEqualTo("kubernetes.io/service-account-token");
    assertThat(token.getMetadata().getAnnotations()).containsEntry("kubernetes.io/service-account.name", "meshfed-reader");
  }

  @Test
  void clusterScopedNamesCarryTheNamespace() {
    Manifests other = ChartRender.chart().render();
    for (HasMetadata object : other.all()) {
      if (object instanceof ClusterRole || object instanceof ClusterRoleBinding) {
        assertThat(object.getMetadata().getName()).endsWith("-" + NS);
        assertThat(object.getMetadata().getNamespace()).isNull();
      }
    }
  }
}
