package io.meshfed.gateway.l7.listener;

import java.time.Duration;

/**
 * A compiled {@code envoy.filters.network.tcp_proxy} (SNI passthrough).
 *
 * @param statPrefix {@code stat_prefix}
 * @param cluster the cluster bytes go to
 * @param idleTimeout {@code idle_timeout} (default 1 h); null to disable
 */
public record TcpProxySpec(String statPrefix, String cluster, Duration idleTimeout) {
}
