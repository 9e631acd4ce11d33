package io.meshfed.gateway.l7.cluster;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's outlier detection for one cluster (consecutive 5xx and consecutive gateway failure; "Outlier detection"
 * in Envoy's architecture docs). Results are counted lock-free on whatever event loop served the request; ejection
 * decisions and the periodic sweep that returns hosts run on the cluster's owner context only.
 *
 * <p>Locally originated failures (connect failure, reset, timeout) count as a 503, so they feed both counters, as
 * Envoy does without {@code split_external_local_origin_errors}.
 */
public final class OutlierDetector {

  private final OutlierSpec spec;
  private final ClusterRuntime cluster;

  OutlierDetector(OutlierSpec spec, ClusterRuntime cluster) {
    this.spec = spec;
    this.cluster = cluster;
  }

  OutlierSpec spec() {
    return spec;
  }

  /**
   * Records one attempt's result for {@code host}; callable from any event loop.
   *
   * @param status the upstream status, or 503 for a locally originated failure
   */
  public void report(Host host, int status) {
    if (status < 500) {
      if (host.consecutive5xx.get() != 0) {
        host.consecutive5xx.set(0);
      }
      if (host.consecutiveGatewayFailures.get() != 0) {
        host.consecutiveGatewayFailures.set(0);
      }
      return;
    }
    int errors = host.consecutive5xx.incrementAndGet();
    if (spec.consecutive5xx() > 0 && errors == spec.consecutive5xx()) {
      cluster.onOwner(() -> tryEject(host, spec.enforcing5xx()));
    }
    if (status == 502 || status == 503 || status == 504) {
      int failures = host.consecutiveGatewayFailures.incrementAndGet();
      if (spec.consecutiveGatewayFailure() > 0 && failures == spec.consecutiveGatewayFailure()) {
        cluster.onOwner(() -> tryEject(host, spec.enforcingGatewayFailure()));
      }
    }
  }

  /** Owner context only. */
  private void tryEject(Host host, int enforcingPercent) {
    if (host.ejected() || cluster.retired() || !cluster.hosts().all().contains(host)) {
      return;
    }
    if (enforcingPercent <= 0 || ThreadLocalRandom.current().nextInt(100) >= enforcingPercent) {
      return;
    }
    int total = cluster.hosts().all().size();
    int ejected = 0;
    for (Host other : cluster.hosts().all()) {
      if (other.ejected()) {
        ejected++;
      }
    }
    // max_ejection_percent, but Envoy always allows ejecting one host.
    if (ejected > 0 && (ejected + 1) * 100.0 / total > spec.maxEjectionPercent()) {
      return;
    }
    host.ejections++;
    long base = spec.baseEjectionTime().toNanos();
    long time = Math.min(base * host.ejections, Math.max(base, spec.maxEjectionTime().toNanos()));
    host.eject(System.nanoTime() + time);
    host.consecutive5xx.set(0);
    host.consecutiveGatewayFailures.set(0);
    cluster.rebuild();
  }

  /** Owner context only: returns hosts whose ejection time is over; decays the multiplier of healthy hosts. */
  void sweep() {
    boolean changed = false;
    long now = System.nanoTime();
    for (Host host : cluster.hosts().all()) {
      long until = host.ejectedUntilNanos();
      if (until != 0 && until - now <= 0) {
        host.uneject();
        changed = true;
      } else if (until == 0 && host.ejections > 0) {
        host.ejections--;
      }
    }
    if (changed) {
      cluster.rebuild();
    }
  }
}
