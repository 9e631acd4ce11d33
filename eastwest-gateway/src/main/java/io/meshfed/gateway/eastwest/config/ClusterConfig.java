package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An upstream cluster: how to connect (timeout, protocol), how to choose a host (load-balancing policy, panic
 * threshold, locality weighting), the limits (circuit breakers) and outlier detection, and its hosts grouped by
 * locality and priority (from EDS or an inline load assignment). {@code missing} names a referenced Secret that has
 * not arrived; such a cluster serves no connection yet.
 */
public record ClusterConfig(String name, Duration connectTimeout, LbPolicy lbPolicy, int choiceCount,
    CircuitBreakerConfig circuitBreakers, OutlierConfig outlier, int panicThresholdPercent, boolean localityWeighted,
    UpstreamProtocol protocol, List<LocalityEndpoints> localities, String missing) {

  /** {@code Cluster.lb_policy}. */
  public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV }

  /** The HTTP protocol the forwarder speaks to the cluster's hosts ({@code explicit_http_config}). */
  public enum UpstreamProtocol { HTTP1, HTTP2 }

  public ClusterConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(lbPolicy, "lbPolicy");
    Objects.requireNonNull(circuitBreakers, "circuitBreakers");
    Objects.requireNonNull(protocol, "protocol");
    localities = List.copyOf(localities);
    Objects.requireNonNull(missing, "missing");
  }

  /** The same cluster with new hosts (an EDS update). */
  public ClusterConfig withLocalities(List<LocalityEndpoints> newLocalities) {
    return new ClusterConfig(name, connectTimeout, lbPolicy, choiceCount, circuitBreakers, outlier,
        panicThresholdPercent, localityWeighted, protocol, newLocalities, missing);
  }

  public int hostCount() {
    int count = 0;
    for (LocalityEndpoints locality : localities) {
      count += locality.hosts().size();
    }
    return count;
  }

  @Override
  public String toString() {
    return "ClusterConfig{" + name + ", " + lbPolicy + ", hosts=" + hostCount() + "}";
  }
}
