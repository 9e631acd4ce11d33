package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/install.md uses values that exist, example files that exist, and Istio config the chart serves and selects. */
class InstallGuideTest {

  private static final Path GUIDE = Path.of("..", "docs", "install.md");
  private static final Pattern SET = Pattern.compile("--set(?:-file)?\\s+[\"']?([a-zA-Z][a-zA-Z0-9.]*)=");
  private static final Pattern VALUES_FILE = Pattern.compile("-f deploy/helm/meshfed/(values[a-z$-]*\\.yaml)");
  private static final Pattern HEREDOC = Pattern.compile("(?s)<<EOF[^\\n]*\\n(.*?)\\nEOF\\n");

  private static String guide;

  @BeforeAll
  static void read() throws IOException {
    guide = Files.readString(GUIDE);
  }

  @Test
  void everySetFlagNamesAChartValue() throws IOException {
    JsonNode values = SettingsDocument.parse(Files.readString(ChartRender.CHART.resolve("values.yaml")));
    Matcher set = SET.matcher(guide);
    List<String> keys = new ArrayList<>();
    while (set.find()) {
      keys.add(set.group(1));
    }
    assertThat(keys).contains("image.repository", "federation.members", "gateways.xdsAddress", "gateways.rootCertPem");
    for (String key : keys) {
      JsonNode node = values;
      for (String part : key.split("\\.")) {
        node = node.path(part);
      }
      assertThat(node.isMissingNode()).as("--set %s names no value of values.yaml", key).isFalse();
    }
  }

  @Test
  void everyValuesFileExists() {
    Matcher file = VALUES_FILE.matcher(guide);
    List<String> files = new ArrayList<>();
    while (file.find()) {
      files.add(file.group(1).replace("$c", "east"));
    }
    assertThat(files).contains("values-east.yaml", "values-remote.yaml");
    files.forEach(name -> assertThat(ChartRender.CHART.resolve(name)).isRegularFile());
  }

  @Test
  void istioConfigInTheGuideIsServedByTheChartsCrdsAndSelectsItsIngress() {
    Manifests chart = ChartRender.chart().render();
    Matcher heredoc = HEREDOC.matcher(guide);
    List<String> kinds = new ArrayList<>();
    while (heredoc.find()) {
      for (String document : heredoc.group(1).split("(?m)^---\\s*$")) {
        JsonNode object = SettingsDocument.parse(document);
        if (!object.has("apiVersion")) {
          continue;
        }
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        kinds.add(kind);
        assertThat(chart.all(CustomResourceDefinition.class)).as("%s %s", apiVersion, kind).anySatisfy(crd -> {
          assertThat(apiVersion).startsWith(crd.getSpec().getGroup() + "/");
          assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
          assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
              .contains(apiVersion.substring(apiVersion.indexOf('/') + 1));
        });
        if (kind.equals("Gateway")) {
          object.path("spec").path("selector").fields().forEachRemaining(label -> assertThat(
              chart.get(Deployment.class, "meshfed-ingressgateway").getSpec().getTemplate().getMetadata().getLabels())
              .containsEntry(label.getKey(), label.getValue().asText()));
        }
      }
    }
    assertThat(kinds).containsExactly("ServiceExport", "Gateway", "VirtualService");
  }
}
