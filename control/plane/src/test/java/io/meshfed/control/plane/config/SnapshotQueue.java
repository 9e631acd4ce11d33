package io.meshfed.control.plane.config;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects published snapshots; waits (with a deadline, no sleeps) for one that satisfies a condition. */
final class SnapshotQueue {

  private final BlockingQueue<ConfigSnapshot> snapshots = new LinkedBlockingQueue<>();

  void add(ConfigSnapshot snapshot) {
    snapshots.add(snapshot);
  }

  ConfigSnapshot await(Predicate<ConfigSnapshot> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    ConfigSnapshot last = null;
    while (System.nanoTime() < deadline) {
      ConfigSnapshot next = snapshots.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      last = next;
      if (condition.test(next)) {
        return next;
      }
    }
    throw new AssertionError("no matching snapshot within 20s; last: " + last
        + (last == null ? "" : " " + last.messages()));
  }
}
