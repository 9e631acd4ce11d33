package io.meshfed.gateway.l7;

/** The role an L7 engine plays; it is the node metadata {@code ROLE} the control plane groups gateways by. */
public enum Role {
  /** External clients in: Gateway servers, VirtualService routes, RequestAuthentication, AuthorizationPolicy. */
  INGRESS,
  /** Workloads out: ServiceEntry hosts, TLS origination, SNI passthrough, REGISTRY_ONLY blocking. */
  EGRESS;

  /** The role as the node metadata spells it ({@code ingress}, {@code egress}). */
  public String metadataValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The gateway's name in NACK messages ({@code meshfed ingress gateway}). */
  public String gatewayName() {
    return "meshfed " + metadataValue() + " gateway";
  }
}
