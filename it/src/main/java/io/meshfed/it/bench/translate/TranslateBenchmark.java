package io.meshfed.it.bench.translate;

import static io.meshfed.it.bench.BenchFigures.gcMillis;
import static io.meshfed.it.bench.BenchFigures.jvmOptions;
import static io.meshfed.it.bench.BenchFigures.pct;
import static io.meshfed.it.bench.BenchFigures.usedAfterGc;

import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.MeshTranslator;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.control.plane.translate.Translation;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.it.bench.BenchArgs;
import io.meshfed.it.bench.BenchFigures.StealWindow;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 5's translation figures: a mesh of {@code services} services with {@code endpoints} endpoints spread over
 * three clusters (this one from Kubernetes objects; "west" on the same network, its pods listed in the catalog;
 * "north" on another network, reached through its east-west gateway), 1,000 ingress VirtualServices with subsets,
 * every local service exported; gateway groups ingress and east-west.
 *
 * <p>Prints: the cold first full translation, the warm-up full translations (a fresh translator each time, while the
 * JIT still compiles), the steady full translation after them (a fresh translator each time, median of {@code fulls}),
 * the heap after GC holding the resulting state (config, catalog, translator with its snapshots), and the time of an
 * incremental translation after one endpoint change (local EndpointSlice or remote catalog entry), p50/p99.
 *
 * <p>Arguments (optional): {@code services=10000 endpoints=100000 routes=1000 rounds=40 warmups=20 fulls=10}. Ten
 * warm-ups left C2 compiling through the measured runs (their JIT column read 270-440 ms); after twenty it reads
 * ~0, and the report flags measured runs whose JIT median is still above {@link #SETTLED_JIT_MS}.
 */
public final class TranslateBenchmark {

  /** A measured run's median JIT time above this means the JIT had not settled: the figure is not a warm one. */
  static final double SETTLED_JIT_MS = 50;

  private TranslateBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts = BenchArgs.parse(Map.of("services", 10_000, "endpoints", 100_000, "routes", 1_000,
        "rounds", 40, "warmups", 20, "fulls", 10), args);
    if (opts.get("fulls") < 1 || opts.get("warmups") < 0) {
      throw new IllegalArgumentException("fulls: " + opts.get("fulls") + ", warmups: " + opts.get("warmups")
          + " (expected: fulls >= 1, warmups >= 0)");
    }
    int services = opts.get("services");
    int endpointsPerCluster = opts.get("endpoints") / 3;
    int routes = Math.min(opts.get("routes"), services);

    // The control plane's JVM options (translate.sh passes deploy/jvm/control-plane.jvm) shape the figures.
    System.out.println("JVM: " + jvmOptions());
    long baseline = usedAfterGc();
    long setupStart = System.nanoTime();
    BenchMesh mesh = new BenchMesh(services, endpointsPerCluster, routes);
    ConfigSnapshot config = mesh.config();
    RemoteCatalog catalog = mesh.catalog();
    List<GatewayGroup> groups = BenchMesh.groups();
    System.out.printf(Locale.ROOT, "mesh: %,d services, %,d endpoints in 3 clusters (%,d here, %,d west, %,d north),"
        + " %,d ingress routes; config snapshot of %,d objects built in %.1f s%n", services,
        mesh.endpointTotal(), mesh.localEndpoints, mesh.westEndpoints, mesh.northEndpoints, routes,
        config.allConfig().size() + config.services().size() + config.endpointSlices().size() + config.pods().size(),
        (System.nanoTime() - setupStart) / 1e9);

    MeshView view = BenchMesh.view(config, catalog, groups);
    MeshTranslator translator = MeshTranslator.create();
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    Translation first = translator.translate(view);
    double cold = (System.nanoTime() - start) / 1e6;
    double coldCpu = (processCpuNanos() - cpuStart) / 1e6;
    int resources = first.stats().resources();
    System.out.printf(Locale.ROOT, "full translation, cold JVM: %.0f ms (process CPU %.0f ms) -> %,d resources in %d "
        + "snapshots (%s); %d problems%n", cold, coldCpu, resources, first.snapshots().size(), counts(first),
        first.problems().size());

    // The type versions digest every resource's name and bytes: equal lines from two builds mean equal output.
    System.out.println("output versions: " + versions(first));

    // Warm-up: fresh full translations right after the cold one still run beside the JIT compiling what the cold one
    // made hot (C2 has one thread on 2 cores and a backlog of seconds) and beside G1 marking the state the cold one
    // left; their figures are printed, the steady ones are measured after them.
    Runs warmup = fullTranslations(view, opts.get("warmups"));
    if (warmup.count() > 0) {
      System.out.printf(Locale.ROOT, "full translation, warm-up (fresh translator x%d, JIT still compiling): %s%n",
          warmup.count(), warmup);
    }
    StealWindow steal = StealWindow.open();
    Runs steady = fullTranslations(view, opts.get("fulls"));
    String stolen = steal.describe();
    System.out.printf(Locale.ROOT, "full translation, warm (fresh translator x%d after the cold one and %d warm-up"
        + " ones): %s   [target <= 1000 ms]%s%n", steady.count(), warmup.count(), steady,
        steady.jitSettled() ? "" : " (not warm: the JIT was still compiling; raise warmups)");
    System.out.println("  during the warm translations: " + stolen);

    long held = usedAfterGc();
    System.out.printf(Locale.ROOT, "heap after GC holding config + catalog + translator + snapshots: %,d MiB "
        + "(JVM baseline before the mesh was built: %,d MiB; the state itself: %,d MiB)   [target <= 1024 MiB]%n",
        held >> 20, baseline >> 20, (held - baseline) >> 20);

    int rounds = opts.get("rounds");
    double[] local = new double[rounds / 2];
    double[] remote = new double[rounds - rounds / 2];
    double[] nextConfig = new double[local.length];
    int derived = 0;
    int changed = 0;
    for (int i = 0; i < rounds; i++) {
      MeshView next;
      if (i % 2 == 0) {
        ConfigSnapshot before = config;
        long t = System.nanoTime();
        config = mesh.changeLocalEndpoint(i);
        nextConfig[i / 2] = (System.nanoTime() - t) / 1e6;
        if (config.services() == before.services()) {
          derived++; // the builder's EndpointSlice path: everything but the slices shared with the previous snapshot
        }
        next = view.toBuilder().config(config).build();
      } else {
        catalog = mesh.changeRemoteEndpoint(catalog, i);
        next = view.toBuilder().catalog(catalog).config(config).build();
      }
      long t = System.nanoTime();
      Translation translation = translator.translate(next);
      double ms = (System.nanoTime() - t) / 1e6;
      if (!translation.stats().incremental()) {
        throw new IllegalStateException("round " + i + ": expected an incremental translation: " + translation.stats());
      }
      changed += translation.stats().changedResources();
      if (i % 2 == 0) {
        local[i / 2] = ms;
      } else {
        remote[i / 2] = ms;
      }
      view = next;
    }
    Arrays.sort(local);
    Arrays.sort(remote);
    Arrays.sort(nextConfig);
    System.out.printf(Locale.ROOT, "incremental, one local endpoint changed (EndpointSlice): p50 %.1f ms, p99 %.1f ms"
        + " (the config store's next snapshot before it: p50 %.1f ms, p99 %.1f ms; derived from the previous one in %d"
        + " of %d rounds)%n", pct(local, 50), pct(local, 99), pct(nextConfig, 50), pct(nextConfig, 99), derived,
        nextConfig.length);
    System.out.printf(Locale.ROOT, "incremental, one remote endpoint changed (catalog entry): p50 %.1f ms, p99 %.1f ms"
        + "%n", pct(remote, 50), pct(remote, 99));
    System.out.printf(Locale.ROOT, "resources rebuilt per change: %.1f on average (load assignments of the changed "
        + "service, per group)%n", changed / (double) rounds);
    System.out.printf(Locale.ROOT, "machine: %d cores, load average %.1f%n",
        Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage());
  }

  /**
   * Full translations, each by a fresh translator (nothing reused), sorted per figure: wall time, process CPU time
   * (all threads, GC and JIT included: on a shared machine the wall time mostly measures the other processes, CPU time
   * the work done), the collectors' and the JIT compilers' time.
   */
  private record Runs(double[] wall, double[] cpu, double[] gc, double[] jit) {

    int count() {
      return wall.length;
    }

    boolean jitSettled() {
      return median(jit) <= SETTLED_JIT_MS;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "median %.0f ms, best %.0f ms, worst %.0f ms; process CPU median %.0f ms, GC "
          + "(collectors' time) median %.0f ms, JIT (compilers' time) median %.0f ms", median(wall), wall[0],
          wall[wall.length - 1], median(cpu), median(gc), median(jit));
    }

    private static double median(double[] sorted) {
      return sorted[sorted.length / 2];
    }
  }

  private static Runs fullTranslations(MeshView view, int n) {
    double[] wall = new double[n];
    double[] cpu = new double[n];
    double[] gc = new double[n];
    double[] jit = new double[n];
    for (int i = 0; i < n; i++) {
      MeshTranslator fresh = MeshTranslator.create();
      long t = System.nanoTime();
      long cpuStart = processCpuNanos();
      long gcStart = gcMillis();
      long jitStart = jitMillis();
      fresh.translate(view);
      wall[i] = (System.nanoTime() - t) / 1e6;
      cpu[i] = (processCpuNanos() - cpuStart) / 1e6;
      gc[i] = gcMillis() - gcStart;
      jit[i] = jitMillis() - jitStart;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    Arrays.sort(gc);
    Arrays.sort(jit);
    return new Runs(wall, cpu, gc, jit);
  }

  /** The JIT compilers' total time; 0 on a JVM that does not report it (the JIT column then reads 0). */
  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String counts(Translation translation) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Snapshot> e : translation.snapshots().entrySet()) {
      out.append(e.getKey()).append(':');
      for (XdsResourceType type : XdsResourceType.values()) {
        out.append(' ').append(type.shortName()).append('=').append(e.getValue().resources(type).size());
      }
      out.append("; ");
    }
    return out.toString().replaceAll("; $", "");
  }

  private static String versions(Translation translation) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Snapshot> e : translation.snapshots().entrySet()) {
      out.append(e.getKey()).append(':');
      for (XdsResourceType type : XdsResourceType.values()) {
        out.append(' ').append(type.shortName()).append('@').append(e.getValue().version(type));
      }
      out.append("; ");
    }
    return out.toString().replaceAll("; $", "");
  }
}
