package io.meshfed.gateway.eastwest;

/**
 * Envoy response flags the east-west gateway sets, with Envoy's meanings (docs/xds-profile.md, "Response flags").
 * The vocabulary will move to meshfed-control-client once the runtime kit owns it; the codes are Envoy's, so the move
 * changes no label value.
 */
public enum ResponseFlag {
  /** No healthy upstream host. */
  UH,
  /** Upstream connection failure (refused, timed out, TLS handshake failed). */
  UF,
  /** Upstream overflow: the cluster's circuit breaker refused a connection or request. */
  UO,
  /** No route: no filter chain, virtual host or route matched, or the route's cluster is unknown. */
  NR,
  /** The route's upstream cluster is not configured (Envoy's {@code NC}). */
  NC,
  /** Retry limit or connect attempts exhausted. */
  URX,
  /** Upstream request timeout. */
  UT,
  /** Upstream connection termination in the middle of a response. */
  UC,
  /** Downstream connection termination before the response completed. */
  DC,
  /** Downstream protocol error. */
  DPE,
  /** Upstream protocol error. */
  UPE,
  /** Stream idle timeout. */
  SI;

  /** Envoy's code, as it appears in the {@code response_flags} label and the access log. */
  public String code() {
    return name();
  }
}
