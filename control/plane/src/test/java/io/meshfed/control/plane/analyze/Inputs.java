package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.config.YamlFiles;
import io.meshfed.control.plane.istio.IstioSamples;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Analysis inputs for tests: Istio sample files (relative to the samples root) and inline YAML. */
final class Inputs {

  private final List<RawResource> resources = new ArrayList<>();
  private final List<Message> messages = new ArrayList<>();

  static Inputs samples(String... files) {
    Inputs inputs = new Inputs();
    for (String file : files) {
      inputs.sample(file);
    }
    return inputs;
  }

  Inputs sample(String file) {
    Path path = IstioSamples.file(file);
    YamlFiles.FileRead read = YamlFiles.read(path, file);
    resources.addAll(read.resources());
    read.error().ifPresent(messages::add);
    return this;
  }

  Inputs yaml(String yaml) {
    try {
      for (YamlDocuments.Document document : YamlDocuments.read("inline.yaml", yaml)) {
        resources.add(RawResource.document(document.root(), Origin.of("inline.yaml")));
      }
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e);
    }
    return this;
  }

  ConfigSnapshot snapshot() {
    return new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT))
        .build(List.of(new SourceContents("test", resources, messages)), ConfigSnapshot.empty(MeshSettings.DEFAULT));
  }

  AnalysisReport analyze() {
    return Analysis.standard().run(snapshot());
  }

  List<Message> found(MessageType type) {
    return analyze().messages().stream().filter(m -> m.type() == type).toList();
  }
}
