package io.meshfed.gateway.eastwest.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable, validated east-west configuration: listeners by name and clusters by name, translated from one
 * {@link io.meshfed.gateway.eastwest.XdsResources}. {@code warming} lists what accepted resources still wait for.
 */
public record GatewayConfig(String version, Map<String, ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
    List<String> warming) {

  public GatewayConfig {
    Objects.requireNonNull(version, "version");
    listeners = Map.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    warming = List.copyOf(warming);
  }

  @Override
  public String toString() {
    return "GatewayConfig{version=" + version + ", listeners=" + listeners.keySet() + ", clusters=" + clusters.size()
        + ", warming=" + warming + "}";
  }
}
