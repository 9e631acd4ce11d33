package io.meshfed.gateway.eastwest.config;

import io.meshfed.gateway.eastwest.tls.ClientTlsSpec;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One upstream host: its address, EDS health, weight, Istio metadata, and the TLS the gateway originates to it
 * ({@code null}: plaintext), already resolved from the cluster's {@code transport_socket_matches} against the host's
 * {@code envoy.transport_socket_match} metadata.
 */
public record HostConfig(InetSocketAddress address, Health health, int weight, EndpointMetadata metadata,
    ClientTlsSpec tls) {

  /** EDS {@code health_status}, folded the way Envoy's load balancer reads it. */
  public enum Health {
    /** HEALTHY or UNKNOWN. */
    HEALTHY,
    /** DEGRADED: used only when a priority has no healthy host. */
    DEGRADED,
    /** UNHEALTHY or TIMEOUT. */
    UNHEALTHY,
    /** DRAINING: no new connections (a terminating pod). */
    DRAINING
  }

  public HostConfig {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(metadata, "metadata");
  }
}
