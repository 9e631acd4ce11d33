package io.meshfed.it.bench;

import java.lang.management.ManagementFactory;

/** What the benchmarks read from the JVM, and how they summarise their samples. */
public final class BenchFigures {

  private BenchFigures() {
  }

  /** The p-th percentile (nearest rank) of sorted samples; NaN for none. */
  public static double pct(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** This JVM's command-line options, one line: the garbage collector's settings shape every figure. */
  public static String jvmOptions() {
    return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /** The collectors' accumulated time. */
  public static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
        .sum();
  }

  /** The heap in use after a few full collections (the lowest reading: what the state holds). */
  public static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
