package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.config.GatewayConfig;
import io.meshfed.gateway.eastwest.upstream.ClusterRuntime;
import java.util.Map;

/**
 * The snapshot event loops read: the translated config with everything a connection needs built in (chain indexes,
 * TLS contexts, cluster runtimes). Published with one volatile write; a connection reads it once when accepted and
 * keeps it, so an update never changes a connection under way.
 */
final class GatewayRuntime {

  static final GatewayRuntime EMPTY = new GatewayRuntime(null, Map.of(), Map.of());

  private final GatewayConfig config;
  private final Map<String, ListenerRuntime> listeners;
  private final Map<String, ClusterRuntime> clusters;

  GatewayRuntime(GatewayConfig config, Map<String, ListenerRuntime> listeners, Map<String, ClusterRuntime> clusters) {
    this.config = config;
    this.listeners = Map.copyOf(listeners);
    this.clusters = Map.copyOf(clusters);
  }

  GatewayConfig config() {
    return config;
  }

  ListenerRuntime listener(String name) {
    return listeners.get(name);
  }

  Map<String, ListenerRuntime> listeners() {
    return listeners;
  }

  /** The cluster by name, or {@code null} (a route or tcp_proxy to it gets NR). */
  ClusterRuntime cluster(String name) {
    return clusters.get(name);
  }

  Map<String, ClusterRuntime> clusters() {
    return clusters;
  }
}
