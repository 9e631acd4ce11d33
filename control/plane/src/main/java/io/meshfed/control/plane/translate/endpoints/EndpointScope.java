package io.meshfed.control.plane.translate.endpoints;

/** Which clusters' endpoints a load assignment holds. */
public enum EndpointScope {
  /** This cluster's and other clusters' (ingress, egress, proxyless clients). */
  ALL,
  /** This cluster's only (the east-west gateway's inbound SNI clusters). */
  LOCAL,
  /** Other clusters' only (the east-west gateway's outbound listener). */
  REMOTE
}
