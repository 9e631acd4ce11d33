package io.meshfed.gateway.eastwest;

/** The xDS resource types the east-west gateway consumes, with the type URLs an ADS client ACKs or NACKs. */
public enum ResourceType {
  LISTENER("listener", "type.googleapis.com/envoy.config.listener.v3.Listener"),
  ROUTE("route configuration", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
  CLUSTER("cluster", "type.googleapis.com/envoy.config.cluster.v3.Cluster"),
  ENDPOINT("cluster load assignment", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
  SECRET("secret", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");

  private final String kind;
  private final String typeUrl;

  ResourceType(String kind, String typeUrl) {
    this.kind = kind;
    this.typeUrl = typeUrl;
  }

  /** How error messages name the kind ({@code listener 0.0.0.0_15443: ...}). */
  public String kind() {
    return kind;
  }

  public String typeUrl() {
    return typeUrl;
  }
}
