package io.meshfed.gateway.l7.config;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The complete set of xDS resources a gateway currently holds, per type, keyed by resource name (the state of the
 * world: a resource absent here is removed). The ADS client keeps this and hands every change to
 * {@link io.meshfed.gateway.l7.L7Engine#apply(XdsResources)}.
 *
 * @param listeners LDS
 * @param routes RDS
 * @param clusters CDS
 * @param endpoints EDS, keyed by cluster name
 * @param secrets SDS
 */
public record XdsResources(Map<String, Listener> listeners, Map<String, RouteConfiguration> routes,
                           Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints,
                           Map<String, Secret> secrets) {

  /** Nothing at all. */
  public static final XdsResources EMPTY = new XdsResources(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  /** Copies the maps (keeping their order). */
  public XdsResources {
    listeners = freeze(listeners);
    routes = freeze(routes);
    clusters = freeze(clusters);
    endpoints = freeze(endpoints);
    secrets = freeze(secrets);
  }

  private static <T> Map<String, T> freeze(Map<String, T> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** A builder that keys each resource by its own name. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these resources. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.listeners.putAll(listeners);
    builder.routes.putAll(routes);
    builder.clusters.putAll(clusters);
    builder.endpoints.putAll(endpoints);
    builder.secrets.putAll(secrets);
    return builder;
  }

  /** Collects resources by name; a later resource of the same name replaces the earlier one. */
  public static final class Builder {
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final Map<String, RouteConfiguration> routes = new LinkedHashMap<>();
    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Map<String, ClusterLoadAssignment> endpoints = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();

    private Builder() {
    }

    /** Adds or replaces a listener. */
    public Builder listener(Listener listener) {
      listeners.put(listener.getName(), listener);
      return this;
    }

    /** Adds or replaces a route configuration. */
    public Builder route(RouteConfiguration route) {
      routes.put(route.getName(), route);
      return this;
    }

    /** Adds or replaces a cluster. */
    public Builder cluster(Cluster cluster) {
      clusters.put(cluster.getName(), cluster);
      return this;
    }

    /** Adds or replaces a cluster's endpoints. */
    public Builder endpoints(ClusterLoadAssignment assignment) {
      endpoints.put(assignment.getClusterName(), assignment);
      return this;
    }

    /** Adds or replaces a secret. */
    public Builder secret(Secret secret) {
      secrets.put(secret.getName(), secret);
      return this;
    }

    /** Removes a listener by name. */
    public Builder removeListener(String name) {
      listeners.remove(name);
      return this;
    }

    /** Removes a cluster by name. */
    public Builder removeCluster(String name) {
      clusters.remove(name);
      return this;
    }

    /** The resources collected. */
    public XdsResources build() {
      return new XdsResources(listeners, routes, clusters, endpoints, secrets);
    }
  }
}
