package io.meshfed.federation.catalog;

import java.util.List;
import java.util.Objects;

/**
 * What a cluster says about itself in the catalog: id, network, locality, east-west gateway addresses and the
 * version of the control plane that publishes it.
 */
public record ClusterInfo(String clusterId, String network, Locality locality, List<GatewayAddress> gateways,
    String controlPlaneVersion) {

  public ClusterInfo {
    Names.requireClusterId("clusterId", clusterId);
    network = Objects.requireNonNullElse(network, "");
    locality = Objects.requireNonNullElse(locality, Locality.UNKNOWN);
    gateways = List.copyOf(gateways);
    controlPlaneVersion = Objects.requireNonNullElse(controlPlaneVersion, "");
  }

  /** A cluster with no network, locality or gateways: for tests and flat single-network meshes. */
  public static ClusterInfo of(String clusterId) {
    return new ClusterInfo(clusterId, "", Locality.UNKNOWN, List.of(), "");
  }

  public ClusterInfo withGateways(List<GatewayAddress> newGateways) {
    return new ClusterInfo(clusterId, network, locality, newGateways, controlPlaneVersion);
  }
}
