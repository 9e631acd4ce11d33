package io.meshfed.gateway.eastwest.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-cluster counters that must survive config snapshots, so a swap neither resets nor doubles the circuit
 * breakers: upstream connections open, requests in flight, retries in flight.
 */
public final class ClusterState {

  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger pending = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger retries = new AtomicInteger();

  public void requestStarted() {
    requests.incrementAndGet();
  }

  public void requestFinished() {
    requests.decrementAndGet();
  }

  public int requests() {
    return requests.get();
  }

  public int connections() {
    return connections.get();
  }
}
