package io.meshfed.gateway.eastwest.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A listener ({@code 0.0.0.0_15443}, {@code 0.0.0.0_15001}): its address, how long the ClientHello may take
 * ({@code listener_filters_timeout}; zero: unbounded, as in Envoy) and its filter chains in declaration order.
 */
public record ListenerConfig(String name, InetSocketAddress address, boolean inspectsTls, Duration inspectionTimeout,
    List<FilterChainConfig> chains) {

  public ListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(inspectionTimeout, "inspectionTimeout");
    chains = List.copyOf(chains);
  }
}
