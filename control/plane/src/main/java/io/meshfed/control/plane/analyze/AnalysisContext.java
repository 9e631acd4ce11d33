package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.config.ConfigSnapshot;
import java.util.Set;

/**
 * What a per-cluster check sees: the cluster's snapshot, and the hosts other clusters of the mesh export (so a
 * route to a service that lives only in another cluster is not reported as unknown).
 */
public record AnalysisContext(ConfigSnapshot snapshot, Set<String> meshExportedHosts) {

  public AnalysisContext {
    meshExportedHosts = Set.copyOf(meshExportedHosts);
  }

  /** A context for a single cluster analyzed alone. */
  public static AnalysisContext of(ConfigSnapshot snapshot) {
    return new AnalysisContext(snapshot, Set.of());
  }
}
