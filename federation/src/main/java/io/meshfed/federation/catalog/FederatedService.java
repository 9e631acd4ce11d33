package io.meshfed.federation.catalog;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A service as the whole federation exports it: each exporting cluster's contribution, by cluster id (sorted).
 * Empty when no cluster exports it (any more).
 */
public record FederatedService(ServiceKey key, Map<String, ClusterExport> clusters) {

  public FederatedService {
    Objects.requireNonNull(key, "key");
    clusters = java.util.Collections.unmodifiableMap(new TreeMap<>(clusters));
  }

  public static FederatedService empty(ServiceKey key) {
    return new FederatedService(key, Map.of());
  }

  public boolean isEmpty() {
    return clusters.isEmpty();
  }
}
