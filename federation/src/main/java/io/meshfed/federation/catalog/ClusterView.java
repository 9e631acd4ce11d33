package io.meshfed.federation.catalog;

import java.util.Objects;

/** A cluster's record and its lease state as this member sees it. */
public record ClusterView(ClusterRecord record, ClusterHealth health) {

  public ClusterView {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(health, "health");
  }

  public String clusterId() {
    return record.clusterId();
  }
}
