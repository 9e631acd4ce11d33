package io.meshfed.gateway.l7.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's circuit breakers (Envoy's resource manager at DEFAULT priority): counters shared by every event loop,
 * so the limits hold for the whole gateway as in Envoy. Lock-free: a slot is taken with a CAS that never exceeds the
 * limit.
 */
public final class CircuitBreakers {

  private final CircuitBreakerSpec limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  CircuitBreakers(CircuitBreakerSpec limits) {
    this.limits = limits;
  }

  private static boolean acquire(AtomicInteger counter, int limit) {
    while (true) {
      int current = counter.get();
      if (current >= limit) {
        return false;
      }
      if (counter.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** Takes a connection slot; false when {@code max_connections} is reached. */
  public boolean tryConnection() {
    return acquire(connections, limits.maxConnections());
  }

  /** Returns a connection slot. */
  public void releaseConnection() {
    connections.decrementAndGet();
  }

  /** Takes a pending-request slot; false when {@code max_pending_requests} is reached. */
  public boolean tryPending() {
    return acquire(pending, limits.maxPendingRequests());
  }

  /** Returns a pending-request slot. */
  public void releasePending() {
    pending.decrementAndGet();
  }

  /** Takes a request slot; false when {@code max_requests} is reached. */
  public boolean tryRequest() {
    return acquire(requests, limits.maxRequests());
  }

  /** Returns a request slot. */
  public void releaseRequest() {
    requests.decrementAndGet();
  }

  /** Takes a retry slot; false when {@code max_retries} is reached. */
  public boolean tryRetry() {
    return acquire(retries, limits.maxRetries());
  }

  /** Returns a retry slot. */
  public void releaseRetry() {
    retries.decrementAndGet();
  }

  /** Requests in flight (for tests and diagnostics). */
  public int requestsInFlight() {
    return requests.get();
  }

  /** Open connections (for tests and diagnostics). */
  public int openConnections() {
    return connections.get();
  }
}
