package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code envoy.filters.network.tcp_proxy}: the cluster, how many hosts to try ({@code max_connect_attempts}, default
 * 1) and the idle timeout (Envoy's default 1 h; zero disables).
 */
public record TcpProxyTarget(String cluster, int maxConnectAttempts, Duration idleTimeout) implements ChainTarget {

  public TcpProxyTarget {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
  }
}
