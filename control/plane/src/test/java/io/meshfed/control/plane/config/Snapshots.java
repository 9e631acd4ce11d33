package io.meshfed.control.plane.config;

import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import java.util.ArrayList;
import java.util.List;

/** Builds snapshots from inline YAML in tests. */
final class Snapshots {

  private Snapshots() {
  }

  static SourceContents contents(String name, String yaml) {
    try {
      List<RawResource> resources = new ArrayList<>();
      for (YamlDocuments.Document document : YamlDocuments.read(name, yaml)) {
        resources.add(RawResource.document(document.root(), Origin.of(name)));
      }
      return new SourceContents(name, resources, List.of());
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static ConfigSnapshot build(String yaml) {
    return new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT))
        .build(List.of(contents("test.yaml", yaml)), ConfigSnapshot.empty(MeshSettings.DEFAULT));
  }
}
