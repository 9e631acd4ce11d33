package io.meshfed.gateway.l7.config;

import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.cluster.EndpointSet;
import io.meshfed.gateway.l7.listener.ListenerSpec;
import io.meshfed.gateway.l7.routing.RouteTable;
import io.meshfed.gateway.l7.tls.SecretSpec;
import java.util.Map;

/**
 * One immutable, compiled configuration of the engine. A new xDS update produces a new snapshot that replaces this
 * one atomically; a request keeps the snapshot it started with until it ends.
 *
 * @param version increases with each snapshot
 * @param role the engine's role
 * @param listeners by name
 * @param routeTables by route configuration name
 * @param clusters by name
 * @param endpoints by cluster name
 * @param secrets by name
 * @param accepted the xDS resources these were compiled from (the last good version of each)
 */
public record EngineSnapshot(long version, Role role, Map<String, ListenerSpec> listeners,
                             Map<String, RouteTable> routeTables, Map<String, ClusterSpec> clusters,
                             Map<String, EndpointSet> endpoints, Map<String, SecretSpec> secrets,
                             XdsResources accepted) {

  /** The snapshot before any update: nothing configured. */
  public static EngineSnapshot empty(Role role) {
    return new EngineSnapshot(0, role, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), XdsResources.EMPTY);
  }

  /** The endpoints of a cluster: EDS when it has them, else its inline assignment, else none. */
  public EndpointSet endpointsOf(ClusterSpec cluster) {
    EndpointSet fromEds = endpoints.get(cluster.name());
    if (cluster.discovery() == ClusterSpec.Discovery.EDS) {
      return fromEds != null ? fromEds : EndpointSet.empty(cluster.name());
    }
    return cluster.inlineEndpoints() != null ? cluster.inlineEndpoints() : EndpointSet.empty(cluster.name());
  }

  @Override
  public String toString() {
    return "EngineSnapshot[v" + version + ", " + role + ", listeners " + listeners.keySet() + ", routes "
        + routeTables.keySet() + ", clusters " + clusters.size() + ", secrets " + secrets.keySet() + "]";
  }
}
