package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.translate.endpoints.EndpointScope;
import io.meshfed.control.plane.translate.model.Names;

/** The kinds of service clusters a group may need: their names, endpoints and transport differ. */
enum Flavor {
  /** An ingress or egress gateway's {@code outbound|p|s|h}: every cluster's endpoints, Istio auto mTLS. */
  GATEWAY(EndpointScope.ALL),
  /** A proxyless client's {@code outbound|p|s|h}: plaintext endpoints only, no transport sockets. */
  PROXYLESS(EndpointScope.ALL),
  /** The east-west outbound listener's {@code outbound|p|s|h}: other clusters' endpoints, failover priorities. */
  MESH_OUTBOUND(EndpointScope.REMOTE),
  /** The east-west outbound TLS chains' {@code passthrough|p|s|h}: other clusters' gateways, bytes untouched. */
  PASSTHROUGH(EndpointScope.REMOTE),
  /** The east-west :15443 cluster named by the SNI, passing TLS through: this cluster's endpoints. */
  INBOUND_PASSTHROUGH(EndpointScope.LOCAL),
  /** The east-west :15443 cluster named by the SNI after terminating mTLS: this cluster's endpoints, auto mTLS. */
  INBOUND_TERMINATE(EndpointScope.LOCAL);

  private final EndpointScope scope;

  Flavor(EndpointScope scope) {
    this.scope = scope;
  }

  EndpointScope scope() {
    return scope;
  }

  String clusterName(int port, String subset, String fqdn) {
    return switch (this) {
      case GATEWAY, PROXYLESS, MESH_OUTBOUND -> Names.outboundCluster(port, subset, fqdn);
      case PASSTHROUGH -> Names.passthroughCluster(port, subset, fqdn);
      case INBOUND_PASSTHROUGH, INBOUND_TERMINATE -> Names.sni(port, subset, fqdn);
    };
  }

  /** Whether the east-west gateway consumes it (it reads no ring-hash tuning). */
  boolean eastWest() {
    return this == MESH_OUTBOUND || this == PASSTHROUGH || this == INBOUND_PASSTHROUGH || this == INBOUND_TERMINATE;
  }
}
