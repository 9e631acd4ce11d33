package io.meshfed.federation.catalog;

import java.util.Map;
import java.util.Objects;

/**
 * One workload endpoint of an exported service, published when the networks are flat.
 *
 * @param address the pod IP
 * @param ports target port by service port name (EndpointSlice ports; {@code ""} for an unnamed port)
 * @param locality region/zone/sub-zone of the endpoint
 * @param labels the pod's labels: subsets (DestinationRule) select endpoints by them
 * @param health from the EndpointSlice conditions
 */
public record Endpoint(String address, Map<String, Integer> ports, Locality locality, Map<String, String> labels,
    EndpointHealth health) {

  public Endpoint {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("endpoint address: " + address + " (expected: an IP address)");
    }
    ports = Map.copyOf(Objects.requireNonNull(ports, "ports"));
    locality = Objects.requireNonNullElse(locality, Locality.UNKNOWN);
    labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    health = Objects.requireNonNull(health, "health");
  }
}
