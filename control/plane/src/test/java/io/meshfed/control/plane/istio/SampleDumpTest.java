package io.meshfed.control.plane.istio;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SampleDumpTest {
  @Test
  void dump() {
    for (Path file : IstioSamples.yamlFiles("")) {
      for (ParsedResource r : IstioSamples.parse(file, MeshSettings.DEFAULT)) {
        System.out.println(r.key().map(Object::toString).orElse("?") + " valid=" + r.valid());
        r.messages().forEach(m -> System.out.println("   " + m + "  FIX: " + m.fix()));
      }
    }
  }
}
