package io.meshfed.gateway.eastwest.config;

/**
 * {@code circuit_breakers.thresholds[0]} (priority DEFAULT); Envoy's defaults are 1024 each and 3 retries. Exceeding
 * one is an upstream overflow ({@code UO}).
 */
public record CircuitBreakerConfig(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

  public static final CircuitBreakerConfig DEFAULT = new CircuitBreakerConfig(1024, 1024, 1024, 3);
}
