package io.meshfed.it.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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

  /**
   * The machine's CPU time stolen by the hypervisor so far, all CPUs together (the {@code steal} column of
   * {@code /proc/stat}'s {@code cpu} line, in USER_HZ ticks, which Linux fixes at 100 per second there), in ms; -1
   * where the kernel does not say (not Linux).
   */
  public static long stolenMillis() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      return fields[0].equals("cpu") && fields.length > 8 ? Long.parseLong(fields[8]) * 10 : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The machine's CPUs as {@code /proc/stat} counts them (its {@code cpuN} lines: the CPUs {@link #stolenMillis()}
   * sums over, whatever this JVM may use), or {@link Runtime#availableProcessors()} where it cannot be read.
   */
  public static int machineCpus() {
    try {
      int cpus = (int) Files.readAllLines(Path.of("/proc/stat")).stream()
          .filter(line -> line.length() > 3 && line.startsWith("cpu") && Character.isDigit(line.charAt(3))).count();
      return cpus > 0 ? cpus : Runtime.getRuntime().availableProcessors();
    } catch (IOException | RuntimeException e) {
      return Runtime.getRuntime().availableProcessors();
    }
  }

  /**
   * The stolen CPU time between two {@link #stolenMillis()} readings, against the machine's {@code cpus} CPUs' time
   * over {@code wallMs}: on a virtual machine whose host is busy, every figure of the same interval is slower by
   * about that share.
   */
  public static String stolenBetween(long before, long after, double wallMs, int cpus) {
    if (before < 0 || after < 0) {
      return "CPU stolen by the hypervisor: unknown (no /proc/stat)";
    }
    return String.format(Locale.ROOT, "CPU stolen by the hypervisor: %.1f s of %d CPUs x %.1f s (%.1f %%, the whole "
        + "machine)", (after - before) / 1e3, cpus, wallMs / 1e3, 100.0 * (after - before) / (cpus * wallMs));
  }

  /**
   * An interval over which the hypervisor's steal is measured: {@link #open()} at its start, {@link #describe()} at
   * its end ({@link #stolenBetween} over it).
   */
  public record StealWindow(long stolenAtStart, long startNanos) {

    public static StealWindow open() {
      return new StealWindow(stolenMillis(), System.nanoTime());
    }

    /** The CPU stolen since {@link #open()}, against the machine's CPUs' time since then. */
    public String describe() {
      return stolenBetween(stolenAtStart, stolenMillis(), (System.nanoTime() - startNanos) / 1e6, machineCpus());
    }
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
