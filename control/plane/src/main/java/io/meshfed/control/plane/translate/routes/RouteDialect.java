package io.meshfed.control.plane.translate.routes;

/** Which route features the consumer reads; what it cannot read is left out and reported. */
public enum RouteDialect {
  /** meshfed's ingress and egress gateways (and Envoy): the profile's full route vocabulary. */
  L7_GATEWAY,
  /**
   * meshfed's east-west gateway: path matches, clusters or weighted clusters, timeout and retries only
   * (docs/eastwest-gateway.md).
   */
  EASTWEST,
  /** grpc-java's proxyless client: no CORS, no header mutations or mirrors (gRFC A27, A28, A33). */
  PROXYLESS
}
