package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Helm lints the chart, and every rendering is made only of fields Kubernetes knows. */
class ChartLintTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(ChartRender.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-east.yaml", "values-west.yaml"})
  void rendersOnlyKnownKubernetesFields(String valuesFile) {
    Manifests manifests = ChartRender.chart().values(valuesFile).render();
    assertThat(manifests.all()).hasSizeGreaterThan(30);
    for (HasMetadata object : manifests.all()) {
      assertThat(UnknownFields.of(object)).as("unknown fields in %s", Manifests.describe(object)).isEmpty();
      assertThat(object.getMetadata().getLabels()).as("labels of %s", Manifests.describe(object))
          .containsEntry("app.kubernetes.io/part-of", "meshfed")
          .containsEntry("app.kubernetes.io/managed-by", "Helm");
    }
  }

  @Test
  void detectsAnUnknownField() {
    Deployment deployment = (Deployment) Manifests.parse("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: typo
        spec:
          template:
            spec:
              containers:
                - name: c
                  readinesProbe: {}
        """).all().get(0);
    assertThat(UnknownFields.of(deployment)).containsExactly("spec.template.spec.containers[0].readinesProbe");
  }

  @Test
  void namespacedObjectsLandInTheReleaseNamespace() {
    List<HasMetadata> objects = ChartRender.chart().render().all();
    assertThat(objects).filteredOn(o -> o.getMetadata().getNamespace() != null)
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(ChartRender.NAMESPACE));
  }
}
