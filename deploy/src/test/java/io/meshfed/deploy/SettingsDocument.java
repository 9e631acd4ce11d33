package io.meshfed.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings-file schemas of docs/configuration.md: the YAML example under a heading, read as the reference
 * for which keys exist and what kind of value each holds.
 */
final class SettingsDocument {

  static final Path CONFIGURATION_DOC = Path.of("..", "docs", "configuration.md");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SettingsDocument() {
  }

  /** The first ```yaml block after the heading that starts with {@code headingPrefix}. */
  static JsonNode example(String headingPrefix) {
    try {
      List<String> lines = Files.readAllLines(CONFIGURATION_DOC);
      int heading = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("## " + headingPrefix)) {
          heading = i;
          break;
        }
      }
      if (heading < 0) {
        throw new IllegalStateException(CONFIGURATION_DOC + ": no heading \"## " + headingPrefix + "\"");
      }
      List<String> block = new ArrayList<>();
      boolean inside = false;
      for (int i = heading + 1; i < lines.size(); i++) {
        String line = lines.get(i);
        if (!inside && line.startsWith("```yaml")) {
          inside = true;
        } else if (inside && line.startsWith("```")) {
          return parse(String.join("\n", block));
        } else if (inside) {
          block.add(line);
        }
      }
      throw new IllegalStateException(CONFIGURATION_DOC + ": no yaml block under \"" + headingPrefix + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every key path with the kind of its value ({@code ca.vault.auth.method -> string}); lists and maps are leaves
   * whose entries are free (members, labels), so only their kind counts.
   */
  static Map<String, String> shape(JsonNode node) {
    Map<String, String> shape = new TreeMap<>();
    collect("", node, shape);
    return shape;
  }

  private static void collect(String path, JsonNode node, Map<String, String> shape) {
    if (node.isObject() && !isFreeMap(path)) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        collect(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), shape);
      }
      return;
    }
    shape.put(path, kind(node));
  }

  /** Maps whose keys the user chooses (a gateway's pod labels). */
  private static boolean isFreeMap(String path) {
    return path.equals("labels");
  }

  private static String kind(JsonNode node) {
    if (node.isObject()) {
      return "map";
    }
    if (node.isArray()) {
      return "list";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    return "string";
  }
}
