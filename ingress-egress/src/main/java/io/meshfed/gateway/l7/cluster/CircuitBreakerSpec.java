package io.meshfed.gateway.l7.cluster;

/**
 * {@code circuit_breakers.thresholds[0]} (Istio's DestinationRule {@code connectionPool}); Envoy's defaults are
 * 1024, 1024, 1024 and 3.
 *
 * @param maxConnections connections to all hosts of the cluster
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests requests in flight
 * @param maxRetries retries in flight
 */
public record CircuitBreakerSpec(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

  /** Envoy's defaults. */
  public static final CircuitBreakerSpec DEFAULTS = new CircuitBreakerSpec(1024, 1024, 1024, 3);
}
