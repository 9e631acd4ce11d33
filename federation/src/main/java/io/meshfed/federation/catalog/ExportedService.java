package io.meshfed.federation.catalog;

import java.util.List;
import java.util.Objects;

/**
 * What one cluster publishes for one exported service: its ports and, when the networks are flat, its endpoints;
 * otherwise only how many endpoints are healthy behind the cluster's east-west gateways (Istio weights a remote
 * network's gateway by that count).
 */
public record ExportedService(ServiceKey key, List<ServicePort> ports, Reach reach, List<Endpoint> endpoints,
    int healthyEndpoints) {

  public ExportedService {
    Objects.requireNonNull(key, "key");
    ports = List.copyOf(ports);
    Objects.requireNonNull(reach, "reach");
    endpoints = List.copyOf(endpoints);
    if (reach == Reach.GATEWAY && !endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints of " + key + ": " + endpoints.size()
          + " (expected: none when the service is reached through the gateway)");
    }
    if (healthyEndpoints < 0) {
      throw new IllegalArgumentException("healthyEndpoints of " + key + ": " + healthyEndpoints + " (expected: >= 0)");
    }
  }

  /** A flat-network export: endpoints listed, the healthy count derived from them. */
  public static ExportedService withEndpoints(ServiceKey key, List<ServicePort> ports, List<Endpoint> endpoints) {
    int healthy = (int) endpoints.stream().filter(e -> e.health() == EndpointHealth.HEALTHY).count();
    return new ExportedService(key, ports, Reach.ENDPOINTS, endpoints, healthy);
  }

  /** A multi-network export: reached through the exporting cluster's gateways. */
  public static ExportedService viaGateway(ServiceKey key, List<ServicePort> ports, int healthyEndpoints) {
    return new ExportedService(key, ports, Reach.GATEWAY, List.of(), healthyEndpoints);
  }
}
