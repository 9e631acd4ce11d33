package io.meshfed.gateway.eastwest.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hosts of one priority and a precomputed smooth weighted round-robin order over them (nginx's algorithm, run
 * once per snapshot): picking is one atomic increment and an array read, on any event loop, without locks. Weights
 * are host weights, multiplied by their locality's share when the cluster weights localities.
 */
final class PriorityLevel {

  /** Longest schedule; larger weight sums are scaled down (every host keeps at least one slot). */
  static final int MAX_SCHEDULE = 4096;

  final int priority;
  final List<Host> hosts;
  final int[] schedule;
  final AtomicLong cursor = new AtomicLong();

  PriorityLevel(int priority, List<Host> hosts, double[] weights) {
    this.priority = priority;
    this.hosts = List.copyOf(hosts);
    this.schedule = schedule(weights);
  }

  static int[] schedule(double[] weights) {
    int count = weights.length;
    if (count == 0) {
      return new int[0];
    }
    double total = 0;
    double min = Double.MAX_VALUE;
    for (double weight : weights) {
      total += weight;
      min = Math.min(min, weight);
    }
    // Integer weights relative to the lightest host, bounded by MAX_SCHEDULE in total.
    double scale = Math.min(1 / min, MAX_SCHEDULE / total);
    int[] integral = new int[count];
    int length = 0;
    for (int i = 0; i < count; i++) {
      integral[i] = Math.max(1, (int) Math.round(weights[i] * scale));
      length += integral[i];
    }
    int[] order = new int[length];
    long[] current = new long[count];
    for (int slot = 0; slot < length; slot++) {
      int best = 0;
      for (int i = 0; i < count; i++) {
        current[i] += integral[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= length;
      order[slot] = best;
    }
    return order;
  }
}
