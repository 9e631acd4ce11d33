package io.meshfed.gateway.l7.config;

/**
 * Why one xDS resource was refused (the NACK's error detail): the resource, the field path inside it, and the
 * reason with the fix. Renders as {@code listener 0.0.0.0_8080: filter_chains[0].filters[1]:
 * envoy.filters.network.redis_proxy (unsupported by the meshfed ingress gateway)}.
 *
 * @param kind which xDS type
 * @param resource the resource's name
 * @param field the field path inside the resource, empty for the resource as a whole
 * @param reason what is wrong and what is expected
 */
public record ConfigError(Kind kind, String resource, String field, String reason) {

  /** The xDS resource types the engine consumes. */
  public enum Kind {
    /** LDS. */
    LISTENER("listener", "type.googleapis.com/envoy.config.listener.v3.Listener"),
    /** RDS. */
    ROUTE_CONFIGURATION("route configuration", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
    /** CDS. */
    CLUSTER("cluster", "type.googleapis.com/envoy.config.cluster.v3.Cluster"),
    /** EDS. */
    CLUSTER_LOAD_ASSIGNMENT("cluster load assignment",
        "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
    /** SDS. */
    SECRET("secret", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");

    private final String label;
    private final String typeUrl;

    Kind(String label, String typeUrl) {
      this.label = label;
      this.typeUrl = typeUrl;
    }

    /** How messages name this kind ({@code listener}). */
    public String label() {
      return label;
    }

    /** The xDS type URL, for the NACK. */
    public String typeUrl() {
      return typeUrl;
    }
  }

  @Override
  public String toString() {
    return kind.label + " " + resource + ": " + (field.isEmpty() ? "" : field + ": ") + reason;
  }
}
