package io.meshfed.federation.remote;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Timing of the remote-cluster registry.
 *
 * @param syncTimeout how long a cluster's first sync may take before it is reported SYNC_TIMEOUT (it keeps trying)
 * @param readinessTimeout how long {@link RemoteClusterRegistry#ready()} waits for the clusters present at start; after
 *     that the control plane is ready without them (Istio's {@code PILOT_REMOTE_CLUSTER_TIMEOUT}, also 30 s)
 * @param unreachableAfter how long an API server may go without an open watch before the cluster is UNREACHABLE
 * @param retryInterval how soon a cluster whose informers could not start is tried again
 * @param namespaceSelector Istio discoverySelectors (matchLabels) applied to every remote cluster
 */
public record RemoteSettings(Duration syncTimeout, Duration readinessTimeout, Duration unreachableAfter,
    Duration retryInterval, Map<String, String> namespaceSelector) {

  public static final RemoteSettings DEFAULTS = new RemoteSettings(Duration.ofSeconds(30), Duration.ofSeconds(30),
      Duration.ofSeconds(10), Duration.ofSeconds(5), Map.of());

  public RemoteSettings {
    positive("syncTimeout", syncTimeout);
    positive("readinessTimeout", readinessTimeout);
    positive("unreachableAfter", unreachableAfter);
    positive("retryInterval", retryInterval);
    namespaceSelector = Map.copyOf(namespaceSelector);
  }

  /** How often watches are checked: a fifth of {@link #unreachableAfter}, at least every 50 ms. */
  Duration healthCheckInterval() {
    return Duration.ofMillis(Math.max(50, unreachableAfter.toMillis() / 5));
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
