package io.meshfed.federation.catalog;

/**
 * An endpoint's health as Envoy's EDS carries it ({@code HealthStatus}), derived from the EndpointSlice conditions
 * (Kubernetes "EndpointSlices: conditions"): ready → HEALTHY; terminating but still serving → DRAINING; otherwise
 * UNHEALTHY.
 */
public enum EndpointHealth {
  HEALTHY,
  UNHEALTHY,
  DRAINING
}
