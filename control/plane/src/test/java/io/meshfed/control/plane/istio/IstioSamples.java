package io.meshfed.control.plane.istio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Istio's own samples (Apache-2.0) in ../shared/istio-samples, read the way the directory source reads them. */
public final class IstioSamples {

  private IstioSamples() {
  }

  /** The samples directory: {@code /work/shared/istio-samples} or {@code $MESHFED_ISTIO_SAMPLES}. */
  public static Path root() {
    String override = System.getenv("MESHFED_ISTIO_SAMPLES");
    if (override != null) {
      return Path.of(override);
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolveSibling("shared").resolve("istio-samples");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      Path inside = dir.resolve("shared").resolve("istio-samples");
      if (Files.isDirectory(inside)) {
        return inside;
      }
      dir = dir.getParent();
    }
    return Path.of("/work/shared/istio-samples");
  }

  public static Path file(String relative) {
    return root().resolve(relative);
  }

  public static List<Path> yamlFiles(String relativeDir) {
    try (Stream<Path> files = Files.walk(root().resolve(relativeDir))) {
      return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of {@code file}, parsed. */
  public static List<ParsedResource> parse(Path file, MeshSettings mesh) {
    try {
      ResourceParser parser = new ResourceParser(mesh);
      List<ParsedResource> results = new ArrayList<>();
      for (YamlDocuments.Document document : YamlDocuments.read(file.toString(), Files.readString(file))) {
        results.addAll(parser.parse(document.root(), Origin.of(file.toString())));
      }
      return results;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
