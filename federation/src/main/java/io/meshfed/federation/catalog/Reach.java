package io.meshfed.federation.catalog;

/**
 * How other clusters reach an exported service: straight to the pod endpoints (the networks are flat) or through
 * the exporting cluster's east-west gateways (Istio's multi-network model, "Multicluster: multi-network").
 */
public enum Reach {
  ENDPOINTS,
  GATEWAY
}
