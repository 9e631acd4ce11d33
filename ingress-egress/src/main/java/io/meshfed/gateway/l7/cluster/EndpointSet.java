package io.meshfed.gateway.l7.cluster;

import java.util.List;

/**
 * A compiled {@code ClusterLoadAssignment}: endpoints grouped by priority, then locality.
 *
 * @param clusterName the cluster it belongs to
 * @param priorities by ascending priority number (0 = best)
 * @param overprovisioningFactor Envoy's {@code policy.overprovisioning_factor} / 100 (default 1.4)
 */
public record EndpointSet(String clusterName, List<Priority> priorities, double overprovisioningFactor) {

  /** No endpoints. */
  public static EndpointSet empty(String clusterName) {
    return new EndpointSet(clusterName, List.of(), 1.4);
  }

  /**
   * The localities at one priority.
   *
   * @param priority the priority number
   * @param localities the locality groups
   */
  public record Priority(int priority, List<LocalityGroup> localities) {
  }

  /**
   * The endpoints of one locality.
   *
   * @param locality where they are
   * @param weight {@code load_balancing_weight} of the locality (0 when unset)
   * @param endpoints its endpoints
   */
  public record LocalityGroup(Locality locality, int weight, List<EndpointSpec> endpoints) {
  }

  /** Total endpoint count over all priorities. */
  public int size() {
    int size = 0;
    for (Priority priority : priorities) {
      for (LocalityGroup group : priority.localities()) {
        size += group.endpoints().size();
      }
    }
    return size;
  }
}
