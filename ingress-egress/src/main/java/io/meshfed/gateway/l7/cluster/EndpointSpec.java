package io.meshfed.gateway.l7.cluster;

import java.util.Map;

/**
 * One compiled {@code LbEndpoint}.
 *
 * @param address IP address or, for DNS clusters, a host name
 * @param port the port
 * @param health {@code health_status}
 * @param weight {@code load_balancing_weight} (default 1)
 * @param transportMatch {@code metadata.filter_metadata["envoy.transport_socket_match"]} (e.g. {@code tlsMode: istio})
 * @param istioCluster {@code metadata.filter_metadata.istio.cluster}, empty when absent
 * @param istioWorkload {@code metadata.filter_metadata.istio.workload}, empty when absent
 */
public record EndpointSpec(String address, int port, Health health, int weight, Map<String, String> transportMatch,
                           String istioCluster, String istioWorkload) {

  /** Envoy's {@code HealthStatus} as the engine uses it. */
  public enum Health {
    /** HEALTHY or UNKNOWN: eligible. */
    HEALTHY,
    /** UNHEALTHY, TIMEOUT: not eligible (except in panic). */
    UNHEALTHY,
    /** DRAINING: terminating; not eligible for new requests (except in panic). */
    DRAINING,
    /** DEGRADED: used only when no healthy host remains. */
    DEGRADED
  }

  /** {@code address:port}. */
  public String hostPort() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
