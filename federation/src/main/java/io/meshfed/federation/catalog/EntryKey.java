package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * The catalog key of one service of one cluster: per service per cluster, so one endpoint change moves one small
 * entry.
 */
public record EntryKey(String clusterId, ServiceKey service) {

  public EntryKey {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(service, "service");
  }

  /**
   * A hash fixed by this definition (records leave theirs unspecified), so every member puts a key in the same
   * anti-entropy bucket.
   */
  public int stableHash() {
    return 31 * (31 * clusterId.hashCode() + service.namespace().hashCode()) + service.name().hashCode();
  }

  @Override
  public String toString() {
    return clusterId + "/" + service;
  }
}
