package io.meshfed.federation.remote;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The registry's metrics: clusters by state, Secret errors by reason, sync timeouts and outages by cluster. */
final class RemoteMetrics {

  private final MeterRegistry registry;
  private final Map<RemoteClusterState, AtomicInteger> byState = new EnumMap<>(RemoteClusterState.class);

  RemoteMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (RemoteClusterState state : RemoteClusterState.values()) {
      AtomicInteger count = new AtomicInteger();
      byState.put(state, count);
      Gauge.builder("meshfed_remote_clusters", count, AtomicInteger::get)
          .description("Remote clusters registered by Secret, by state").tag("state", state.name().toLowerCase())
          .register(registry);
    }
  }

  void counts(Map<RemoteClusterState, Integer> counts) {
    byState.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0)));
  }

  void error(String reason) {
    Counter.builder("meshfed_remote_secret_errors_total")
        .description("Remote-cluster Secrets or rotations refused, by reason").tag("reason", reason)
        .register(registry).increment();
  }

  /** Istio counts these as {@code remote_cluster_sync_timeouts_total}. */
  void syncTimeout(String clusterId) {
    Counter.builder("meshfed_remote_cluster_sync_timeouts_total")
        .description("Remote clusters that did not sync within the sync timeout").tag("cluster_id", clusterId)
        .register(registry).increment();
  }

  void unreachable(String clusterId) {
    Counter.builder("meshfed_remote_cluster_unreachable_total")
        .description("Times a synced remote cluster's API server became unreachable").tag("cluster_id", clusterId)
        .register(registry).increment();
  }
}
