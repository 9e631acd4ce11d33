package io.meshfed.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Istio's samples (Apache-2.0), kept in {@code shared/istio-samples} beside the repository. */
final class IstioSamples {

  private IstioSamples() {
  }

  /** The samples directory, looked for in the ancestors of the module directory. */
  static Optional<Path> directory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("istio-samples");
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
