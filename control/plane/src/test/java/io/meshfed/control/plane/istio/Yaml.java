package io.meshfed.control.plane.istio;

import java.util.ArrayList;
import java.util.List;

/** Parses inline YAML in tests. */
final class Yaml {

  private Yaml() {
  }

  static List<ParsedResource> parse(String yaml) {
    return parse(yaml, MeshSettings.DEFAULT);
  }

  static List<ParsedResource> parse(String yaml, MeshSettings mesh) {
    try {
      List<ParsedResource> results = new ArrayList<>();
      for (YamlDocuments.Document document : YamlDocuments.read("test.yaml", yaml)) {
        results.addAll(new ResourceParser(mesh).parse(document.root(), Origin.of("test.yaml")));
      }
      return results;
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static ParsedResource one(String yaml) {
    List<ParsedResource> results = parse(yaml);
    if (results.size() != 1) {
      throw new AssertionError("expected one object, got " + results);
    }
    return results.get(0);
  }

  @SuppressWarnings("unchecked")
  static <T extends ConfigResource> T valid(String yaml) {
    ParsedResource result = one(yaml);
    if (!result.valid() || result.config().isEmpty()) {
      throw new AssertionError("expected a valid object, got " + result.messages());
    }
    return (T) result.config().get();
  }
}
