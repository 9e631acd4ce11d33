package io.meshfed.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code deploy/helm/meshfed} with a real Helm (helm-java's embedded Go library), as
 * {@code helm template} would: values files in order, then {@code --set} values.
 */
final class ChartRender {

  /** The chart, relative to the module directory Maven runs tests in. */
  static final Path CHART = Path.of("helm", "meshfed");
  static final String NAMESPACE = "meshfed-system";
  static final String RELEASE = "meshfed";

  private final List<Path> valuesFiles = new ArrayList<>();
  private final Map<String, Object> sets = new LinkedHashMap<>();

  private ChartRender() {
  }

  static ChartRender chart() {
    if (!Files.isRegularFile(CHART.resolve("Chart.yaml"))) {
      throw new IllegalStateException("chart: " + CHART.toAbsolutePath() + " (expected: run from deploy/)");
    }
    return new ChartRender();
  }

  /** Adds a values file of the chart directory, e.g. {@code values-east.yaml}. */
  ChartRender values(String chartFile) {
    valuesFiles.add(CHART.resolve(chartFile));
    return this;
  }

  ChartRender set(String key, Object value) {
    sets.put(key, value);
    return this;
  }

  /** The rendered manifest text; a template or schema error surfaces as Helm's message. */
  String yaml() {
    TemplateCommand template = new Helm(CHART).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE);
    valuesFiles.forEach(template::withValuesFile);
    sets.forEach(template::set);
    return template.call();
  }

  /** The rendered objects, typed by fabric8. */
  Manifests render() {
    return Manifests.parse(yaml());
  }
}
