package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.config.ConfigSnapshot;
import java.util.Objects;

/**
 * One cluster's config to analyze.
 *
 * @param name the cluster's name as the user gave it ({@code --cluster east=...}); {@code ""} for a lone cluster
 */
public record ClusterConfig(String name, ConfigSnapshot snapshot) {

  public ClusterConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(snapshot, "snapshot");
  }
}
