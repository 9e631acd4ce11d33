package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * A cluster's record in the catalog: what it says about itself plus ownership and lease state.
 *
 * @param info the cluster's self-description
 * @param publisher who publishes it (the control plane's member name; for a remote cluster, its primary's)
 * @param epoch the publisher's fencing epoch: raised on every (re)start, entries of older epochs lose
 * @param heartbeatMillis Hazelcast cluster time of the last heartbeat: the lease runs from here
 * @param republished true once the publisher of {@code epoch} wrote its full set; older-epoch entries are then gone
 */
public record ClusterRecord(ClusterInfo info, String publisher, long epoch, long heartbeatMillis,
    boolean republished) {

  public ClusterRecord {
    Objects.requireNonNull(info, "info");
    publisher = Objects.requireNonNullElse(publisher, "");
  }

  public String clusterId() {
    return info.clusterId();
  }
}
