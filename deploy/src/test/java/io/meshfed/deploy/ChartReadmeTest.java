package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every value of values.yaml is described in the chart's README (and documented by a comment in values.yaml). */
class ChartReadmeTest {

  /** Free-form maps documented as one key. */
  private static final Set<String> FREE_FORM = Set.of("resources", "labels");

  @Test
  void readmeDescribesEveryValue() throws IOException {
    String readme = Files.readString(ChartRender.CHART.resolve("README.md"));
    Set<String> keys = new TreeSet<>();
    collect("", SettingsDocument.parse(Files.readString(ChartRender.CHART.resolve("values.yaml"))), keys);
    assertThat(keys).hasSizeGreaterThan(60).contains("gateways.<role>.replicas", "controlPlane.resources");
    assertThat(keys).allSatisfy(key -> assertThat(readme).as("README row for %s", key).contains("| `" + key + "` |"));
  }

  @Test
  void valuesFileCommentsItsSections() throws IOException {
    String values = Files.readString(ChartRender.CHART.resolve("values.yaml"));
    for (String section : new String[] {"mesh", "image", "crds", "controlPlane", "ca", "federation", "webhook",
        "gateways", "reader"}) {
      int at = values.indexOf("\n" + section + ":");
      assertThat(at).as("section %s", section).isPositive();
      assertThat(values.substring(0, at).stripTrailing()).as("comment before %s", section).matches("(?s).*#[^\\n]*$");
    }
  }

  private static void collect(String path, JsonNode node, Set<String> keys) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    if (node.isObject() && node.size() > 0 && !FREE_FORM.contains(last)) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        collect(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), keys);
      }
      return;
    }
    keys.add(path.replaceFirst("^gateways\\.(eastwest|ingress|egress)\\.", "gateways.<role>."));
  }
}
