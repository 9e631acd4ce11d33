package io.meshfed.gateway.eastwest.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the gateway learns about one upstream host and keeps across config snapshots (same cluster, same address):
 * requests in flight (least-request balancing) and outlier-detection state. Touched by every event loop that uses
 * the host, hence atomics; no lock is ever held.
 */
public final class HostState {

  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
  final AtomicInteger ejections = new AtomicInteger();
  /** {@link System#nanoTime()} until which the host is ejected; 0 when it is not. */
  volatile long ejectedUntilNanos;

  boolean ejected(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != 0 && nowNanos - until < 0;
  }

  public void requestStarted() {
    active.incrementAndGet();
  }

  public void requestFinished() {
    active.decrementAndGet();
  }

  public int activeRequests() {
    return active.get();
  }

  public int ejectionCount() {
    return ejections.get();
  }
}
