package io.meshfed.it.bench.translate;

import static io.meshfed.it.bench.BenchFigures.gcMillis;
import static io.meshfed.it.bench.BenchFigures.jvmOptions;
import static io.meshfed.it.bench.BenchFigures.pct;
import static io.meshfed.it.bench.BenchFigures.usedAfterGc;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.meshfed.control.plane.translate.MeshTranslator;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.control.plane.translate.Translation;
import io.meshfed.control.plane.xds.DebounceOptions;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import io.meshfed.control.plane.xds.XdsServer;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.it.bench.BenchArgs;
import io.meshfed.it.bench.BenchFigures.StealWindow;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Issue 5's push target at the scale, through the real translator: "10,000 services / 100,000 endpoints
 * across 3 clusters: one endpoint change → delta EDS push to 100 connected gateways ≤ 50 ms p99 after debounce".
 *
 * <p>The {@link BenchMesh} of {@link TranslateBenchmark} goes through one {@link MeshTranslator} (kept across rounds:
 * the incremental path) into a real {@link XdsServer} (plaintext, debounce quiet {@code quietMs}, at most 10 s,
 * {@link GatewayGrouping} as in {@code meshfed control-plane}). The translations are handed to the server as the
 * control plane's {@code TranslationPipeline} does, by {@link PipelineHandOver} (that class and {@code MeshTranslation}
 * are package-private in {@code control/plane}, so their calls are replicated).
 *
 * <p>{@code gateways} {@link DeltaGateway}s, alternately ingress and east-west, connect over real gRPC delta ADS (each
 * its own connection, all on one client {@code Vertx} of 2 event loops in this JVM). The first 10 connect before
 * the first translation, so the groups the translator gets are the ones the server's grouping read from their nodes,
 * as in production; the others follow 10 at a time once those hold their configuration.
 *
 * <p>Each round changes one endpoint, alternately local (an EndpointSlice) and remote (a catalog entry). t0 is when
 * the change is applied: for a local one, the config store's next snapshot (SnapshotBuilder) is part of the measured
 * time, then the changed view is handed to the translator. The gateways expected to receive the change are those
 * whose group's snapshot changed load assignments (computed from the translation's snapshots); each must receive
 * all of them within 30 s, and no other gateway may receive any. The figure the issue targets is t0 → received
 * minus the debounce the server applied to that round's batch ({@code pilot_debounce_time}; exactly one batch per
 * round, or the run fails).
 *
 * <p>Arguments (optional): {@code services=10000 endpoints=100000 routes=1000 gateways=100 warmups=20 rounds=100
 * quietMs=100}. The {@code warmups} rounds run first, exactly as the others, while the JIT compiles the incremental
 * path; their worst figure is printed, the others are the measured ones.
 */
public final class MeshPushBenchmark {

  private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(600);
  /**
   * Gateways syncing at once. At 10,000 services an east-west gateway's first CDS + EDS responses are tens of MB, held
   * by the server's write queue and again by the gateway decoding them: 100 syncing at once outgrew a 6 GB heap.
   */
  private static final int SYNC_BATCH = 10;

  private MeshPushBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    run(Options.parse(args), System.out);
    // The Vert.x instances are closed; nothing else keeps the JVM, but fork-join workers may linger a moment.
    System.exit(0);
  }

  /** The validated arguments. */
  record Options(int services, int endpoints, int routes, int gateways, int warmups, int rounds, int quietMs) {

    static Options parse(String... args) {
      Map<String, Integer> opts = BenchArgs.parse(Map.of("services", 10_000, "endpoints", 100_000, "routes", 1_000,
          "gateways", 100, "warmups", 20, "rounds", 100, "quietMs", 100), args);
      Options o = new Options(opts.get("services"), opts.get("endpoints"), opts.get("routes"), opts.get("gateways"),
          opts.get("warmups"), opts.get("rounds"), opts.get("quietMs"));
      require("services", o.services, o.services >= 1, ">= 1");
      // The change generators flip the first endpoint of a service in a cluster: every service needs one per cluster.
      require("endpoints", o.endpoints, o.endpoints >= 3 * o.services, ">= 3 x services = " + 3 * o.services
          + ", one endpoint per service in each of the 3 clusters");
      require("routes", o.routes, o.routes >= 0, ">= 0");
      require("gateways", o.gateways, o.gateways >= 2, ">= 2, half ingress and half east-west");
      require("warmups", o.warmups, o.warmups >= 0, ">= 0");
      require("rounds", o.rounds, o.rounds >= 1, ">= 1");
      require("quietMs", o.quietMs, o.quietMs >= 1 && o.quietMs <= 10_000, "1..10000, the debounce max being 10 s");
      return o;
    }

    private static void require(String name, int value, boolean ok, String expected) {
      if (!ok) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
      }
    }
  }

  /**
   * What a run measured, for the test.
   *
   * @param expectedPerRound per round, the gateways whose group's load assignments changed
   * @param receivedPerRound per round, the gateways that received all of them
   * @param afterDebounceP99 the target's figure, ms
   */
  record Result(int[] expectedPerRound, int[] receivedPerRound, double afterDebounceP99) {
  }

  static Result run(Options o, PrintStream out) throws Exception {
    int perCluster = o.endpoints / 3;
    int routes = Math.min(o.routes, o.services);
    out.println("JVM: " + jvmOptions());
    long setupStart = System.nanoTime();
    BenchMesh mesh = new BenchMesh(o.services, perCluster, routes);
    ConfigSnapshot config = mesh.config();
    RemoteCatalog catalog = mesh.catalog();
    out.printf(Locale.ROOT, "mesh: %,d services, %,d endpoints in 3 clusters (%,d here, %,d west, %,d north), %,d "
        + "ingress routes; built in %.1f s%n", o.services, mesh.endpointTotal(), mesh.localEndpoints,
        mesh.westEndpoints, mesh.northEndpoints, routes, (System.nanoTime() - setupStart) / 1e9);

    Vertx serverVertx = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GatewayGrouping grouping = GatewayGrouping.create();
    XdsServer server = await(XdsServer.builder(serverVertx).plaintext("127.0.0.1", 0).grouping(grouping)
        .debounce(new DebounceOptions(Duration.ofMillis(o.quietMs), Duration.ofSeconds(10)))
        .meterRegistry(registry).controlPlaneId("meshfed-" + BenchMesh.CLUSTER).build().start());
    Queue<String> problems = new ConcurrentLinkedQueue<>();
    List<DeltaGateway> gateways = new ArrayList<>();
    Map<DeltaGateway, String> groupOf = new HashMap<>();
    try {
      PipelineHandOver pipeline = new PipelineHandOver(serverVertx, server.snapshots());

      // The gateways connect first: their nodes make the server's grouping record the groups to translate for.
      Map<String, GatewayGroup> intendedGroups = new TreeMap<>();
      BenchMesh.groups().forEach(g -> intendedGroups.put(g.key(), g));
      SocketAddress address = SocketAddress.inetSocketAddress(server.plaintextPort(), "127.0.0.1");
      GatewayGroup ingress = intendedGroups.get(key(BenchMesh.INGRESS_WORKLOAD));
      GatewayGroup eastWest = intendedGroups.get(key(BenchMesh.EASTWEST_WORKLOAD));
      for (int g = 0; g < o.gateways; g++) {
        // Alternately, so every batch below holds both groups.
        GatewayGroup group = g % 2 == 0 ? ingress : eastWest;
        String name = group.workload() + "-" + g;
        // Checked against the snapshot the server holds for the group the gateway is meant to be in.
        DeltaGateway gateway = new DeltaGateway(name, node(group, name, g),
            () -> server.snapshots().snapshot(group.key()).orElseThrow(), problems);
        gateways.add(gateway);
        groupOf.put(gateway, group.key());
      }
      // The first batch connects before anything is translated, as gateways do when the control plane starts.
      List<Future<Void>> syncs = new ArrayList<>();
      for (DeltaGateway gateway : gateways.subList(0, Math.min(SYNC_BATCH, gateways.size()))) {
        syncs.add(gateway.start(clientVertx, address));
      }
      long connectDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!grouping.groups().keySet().equals(intendedGroups.keySet())) {
        if (System.nanoTime() > connectDeadline || !problems.isEmpty()) {
          throw new IllegalStateException("the server's grouping recorded " + grouping.groups().keySet()
              + " within 60 s (expected: " + intendedGroups.keySet() + "); problems: " + problems);
        }
        Thread.sleep(10);
      }
      // The groups read from the nodes must be exactly those TranslateBenchmark translates for (labels, namespace).
      if (!grouping.groups().equals(intendedGroups)) {
        throw new IllegalStateException("groups read from the gateways' nodes: " + grouping.groups().values()
            + " (expected: " + intendedGroups.values() + ")");
      }
      // As MeshTranslation: the groups the grouping has seen.
      List<GatewayGroup> viewGroups = new ArrayList<>(grouping.groups().values());
      MeshView view = BenchMesh.view(config, catalog, viewGroups);
      MeshTranslator translator = MeshTranslator.create();

      long syncStart = System.nanoTime();
      PipelineHandOver.Run first = pipeline.translate(translator, view);
      await(Future.all(syncs), SYNC_TIMEOUT);
      for (int from = SYNC_BATCH; from < gateways.size(); from += SYNC_BATCH) {
        syncs.clear();
        for (DeltaGateway gateway : gateways.subList(from, Math.min(from + SYNC_BATCH, gateways.size()))) {
          syncs.add(gateway.start(clientVertx, address));
        }
        await(Future.all(syncs), SYNC_TIMEOUT);
      }
      double syncMs = (System.nanoTime() - syncStart) / 1e6;
      out.printf(Locale.ROOT, "initial full translation %.0f ms (%,d resources: %s); %d gateways (%d ingress, %d "
          + "east-west) connected over delta ADS, %d at a time, each checked to hold exactly its group's CDS and EDS: "
          + "%.1f s from the translation's start%n", first.translationMs(), first.translation().stats().resources(),
          counts(first.translation()), o.gateways, (o.gateways + 1) / 2, o.gateways / 2, SYNC_BATCH, syncMs / 1e3);
      out.printf(Locale.ROOT, "the gateways run in this JVM on their own Vertx (2 event loops): they share the "
          + "machine's %d cores with the control plane, as does anything else running%n",
          Runtime.getRuntime().availableProcessors());
      failOnProblems(problems, "initial sync");
      // The initial sync leaves gigabytes of garbage (every gateway's first CDS and EDS responses, encoded and
      // decoded). The rounds measure the steady state after it, so they start from a collected heap, as JMH starts
      // each iteration; without this the collector would still be cleaning up after the sync during the rounds.
      out.printf(Locale.ROOT, "heap after the initial sync, collected before the rounds: %,d MiB live%n",
          usedAfterGc() >> 20);

      Timer debounce = registry.find("pilot_debounce_time").timer();
      Map<String, Snapshot> current = new HashMap<>(first.translation().snapshots());
      List<Double> afterDebounce = new ArrayList<>();
      // The same figure by kind of change: local EndpointSlice (even rounds), remote catalog entry (odd rounds).
      List<Double> afterLocal = new ArrayList<>();
      List<Double> configMs = new ArrayList<>();
      List<Double> catalogMs = new ArrayList<>();
      List<Double> afterRemote = new ArrayList<>();
      List<Double> total = new ArrayList<>();
      List<Double> releaseToReceived = new ArrayList<>();
      // The first rounds run the incremental path while the JIT compiles it: run like the others, measured apart.
      int all = o.warmups + o.rounds;
      double warmupWorst = 0;
      double[] translationMs = new double[all];
      double[] handOverMs = new double[all];
      double[] recordedMs = new double[all];
      double[] setToLast = new double[all];
      double[] setToLastAfterDebounce = new double[all];
      double[] debounces = new double[all];
      double[] changeToHanded = new double[all];
      double[] worstAfterDebounce = new double[all];
      long[] gcPerRound = new long[all];
      int[] expectedPerRound = new int[all];
      int[] receivedPerRound = new int[all];
      int[] changedPerRound = new int[all];
      Timer send = registry.find("pilot_xds_send_time").timer();
      double edsPushesBefore = registry.find("pilot_xds_pushes").tag("type", "eds").counter().count();
      long sendsBefore = send.count();
      double sendNanosBefore = send.totalTime(TimeUnit.NANOSECONDS);
      long gcBefore = gcMillis();
      StealWindow steal = StealWindow.open();
      for (int i = 0; i < all; i++) {
        if (i == o.warmups) {
          // The measured rounds start from a collected heap too, not with the warm-up rounds' garbage.
          System.gc();
          warmupWorst = afterDebounce.stream().mapToDouble(Double::doubleValue).max().orElse(0);
          List.of(afterDebounce, afterLocal, afterRemote, configMs, catalogMs, total, releaseToReceived)
              .forEach(List::clear);
          edsPushesBefore = registry.find("pilot_xds_pushes").tag("type", "eds").counter().count();
          sendsBefore = send.count();
          sendNanosBefore = send.totalTime(TimeUnit.NANOSECONDS);
          gcBefore = gcMillis();
          steal = StealWindow.open();
        }
        MeshView next;
        // t0: the change reaching the control plane. A local one is the config store's work first (the next
        // config snapshot, as SnapshotBuilder makes it), then the translation; a remote one is the catalog's event.
        long roundGcBefore = gcMillis();
        long t0 = System.nanoTime();
        if (i % 2 == 0) {
          config = mesh.changeLocalEndpoint(i);
          next = view.toBuilder().config(config).build();
        } else {
          catalog = mesh.changeRemoteEndpoint(catalog, i);
          next = view.toBuilder().catalog(catalog).config(config).build();
        }
        ServiceKey changed = mesh.lastChanged();
        double debounceBefore = debounce.totalTime(TimeUnit.NANOSECONDS);
        long batchesBefore = debounce.count();
        // Installed before the translation, the watches record every EDS name that arrives; they are judged against
        // the names the round changed once those are known, so their installation never races the push.
        Semaphore signal = new Semaphore(0);
        Map<DeltaGateway, DeltaGateway.Watch> watches = new HashMap<>();
        for (DeltaGateway gateway : gateways) {
          DeltaGateway.Watch watch = new DeltaGateway.Watch(signal);
          watches.put(gateway, watch);
          gateway.watch(watch);
        }
        PipelineHandOver.Run run = pipeline.translate(translator, next);
        if (!run.translation().stats().incremental()) {
          throw new IllegalStateException("round " + i + ": expected an incremental translation: "
              + run.translation().stats());
        }
        Map<String, Set<String>> expected = new HashMap<>();
        Set<String> allChanged = new HashSet<>();
        for (Map.Entry<String, Snapshot> e : run.translation().snapshots().entrySet()) {
          Set<String> names = changedNames(current.get(e.getKey()), e.getValue());
          expected.put(e.getKey(), names);
          allChanged.addAll(names);
        }
        checkChangedNames(i, changed, allChanged);
        Map<DeltaGateway, Set<String>> expectedAt = new HashMap<>();
        for (DeltaGateway gateway : gateways) {
          Set<String> names = expected.getOrDefault(groupOf.get(gateway), Set.of());
          if (!names.isEmpty()) {
            expectedAt.put(gateway, names);
          }
        }
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        while (!expectedAt.entrySet().stream()
            .allMatch(e -> watches.get(e.getKey()).arrivedAll(e.getValue()) != DeltaGateway.Watch.NOT_YET)) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || !problems.isEmpty()) {
            List<String> missing = expectedAt.entrySet().stream()
                .filter(e -> watches.get(e.getKey()).arrivedAll(e.getValue()) == DeltaGateway.Watch.NOT_YET)
                .map(e -> e.getKey().name()).sorted().toList();
            throw new IllegalStateException("round " + i + " (" + changed + "): " + missing.size() + " of "
                + expectedAt.size() + " expected gateways did not receive " + allChanged + " within "
                + ARRIVAL_TIMEOUT.toSeconds() + " s: " + missing + "; problems: " + problems);
          }
          signal.tryAcquire(left, TimeUnit.NANOSECONDS);
        }
        double roundDebounce = debounce.totalTime(TimeUnit.NANOSECONDS) - debounceBefore;
        if (debounce.count() - batchesBefore != 1) {
          // The figure subtracts this round's one debounce: two batches would subtract two.
          throw new IllegalStateException("round " + i + " (" + changed + "): " + (debounce.count() - batchesBefore)
              + " push batches released (expected: 1; the pause between rounds is shorter than the quiet period?)");
        }
        long last = Long.MIN_VALUE;
        int received = 0;
        for (Map.Entry<DeltaGateway, Set<String>> e : expectedAt.entrySet()) {
          long at = watches.get(e.getKey()).arrivedAll(e.getValue());
          received++;
          last = Math.max(last, at);
          total.add((at - t0) / 1e6);
          afterDebounce.add((at - t0 - roundDebounce) / 1e6);
          (i % 2 == 0 ? afterLocal : afterRemote).add((at - t0 - roundDebounce) / 1e6);
          releaseToReceived.add((at - run.storedNanos() - roundDebounce) / 1e6);
        }
        translationMs[i] = run.translationMs();
        changeToHanded[i] = (run.handedNanos() - t0) / 1e6;
        (i % 2 == 0 ? configMs : catalogMs).add(changeToHanded[i]);
        gcPerRound[i] = gcMillis() - roundGcBefore;
        handOverMs[i] = (run.setNanos() - run.translatedNanos()) / 1e6;
        recordedMs[i] = (run.storedNanos() - run.setNanos()) / 1e6;
        setToLast[i] = (last - run.setNanos()) / 1e6;
        setToLastAfterDebounce[i] = (last - run.setNanos() - roundDebounce) / 1e6;
        worstAfterDebounce[i] = (last - t0 - roundDebounce) / 1e6;
        debounces[i] = roundDebounce / 1e6;
        expectedPerRound[i] = expectedAt.size();
        receivedPerRound[i] = received;
        changedPerRound[i] = allChanged.size();
        current = run.translation().snapshots();
        view = next;
        // A pause longer than the quiet period: the next change starts a new batch, and a stray push (to a gateway
        // that expects nothing, or a name sent twice) would land within it.
        Thread.sleep(o.quietMs + Math.max(50, o.quietMs));
        // Between rounds any EDS resource is a problem (the gateway reports it); this round's watches are judged now.
        gateways.forEach(gateway -> gateway.watch(null));
        for (DeltaGateway gateway : gateways) {
          Set<String> names = expected.getOrDefault(groupOf.get(gateway), Set.of());
          DeltaGateway.Watch watch = watches.get(gateway);
          for (String name : watch.received()) {
            if (!names.contains(name)) {
              problems.add(gateway.name() + ": EDS " + name
                  + " received, though its group's snapshot did not change it");
            }
          }
          watch.repeated().forEach(name -> problems.add(gateway.name() + ": EDS " + name + " received twice"));
        }
        failOnProblems(problems, "round " + i + " (" + changed + ")");
      }
      long gcDuring = gcMillis() - gcBefore;
      String stolen = steal.describe();
      double edsPushes = registry.find("pilot_xds_pushes").tag("type", "eds").counter().count() - edsPushesBefore;
      long sends = send.count() - sendsBefore;
      double sendMs = (send.totalTime(TimeUnit.NANOSECONDS) - sendNanosBefore) / 1e6;

      String slowest = slowestRounds(o.warmups, all, worstAfterDebounce, changeToHanded, translationMs, handOverMs,
          recordedMs, debounces, setToLastAfterDebounce, gcPerRound);
      translationMs = Arrays.copyOfRange(translationMs, o.warmups, all);
      handOverMs = Arrays.copyOfRange(handOverMs, o.warmups, all);
      recordedMs = Arrays.copyOfRange(recordedMs, o.warmups, all);
      setToLast = Arrays.copyOfRange(setToLast, o.warmups, all);
      setToLastAfterDebounce = Arrays.copyOfRange(setToLastAfterDebounce, o.warmups, all);
      debounces = Arrays.copyOfRange(debounces, o.warmups, all);
      receivedPerRound = Arrays.copyOfRange(receivedPerRound, o.warmups, all);
      expectedPerRound = Arrays.copyOfRange(expectedPerRound, o.warmups, all);
      changedPerRound = Arrays.copyOfRange(changedPerRound, o.warmups, all);
      double[] after = sorted(afterDebounce);
      double[] incl = sorted(total);
      double[] release = sorted(releaseToReceived);
      Arrays.sort(translationMs);
      Arrays.sort(setToLast);
      Arrays.sort(setToLastAfterDebounce);
      Arrays.sort(debounces);
      double p99 = pct(after, 99);
      out.printf(Locale.ROOT, "mesh push: %d rounds (local EndpointSlice and remote catalog endpoint alternately), "
          + "debounce quiet %d ms (max 10 s), %d gateway receptions measured, after %d warm-up rounds (the JIT "
          + "compiling the incremental path; their worst after debounce: %.1f ms)%n", o.rounds, o.quietMs,
          after.length, o.warmups, warmupWorst);
      out.printf(Locale.ROOT, "  change -> gateway received, after debounce: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
          + "max %.1f ms   [target: p99 <= 50 ms] -> %s%n", pct(after, 50), pct(after, 90), p99,
          after[after.length - 1], p99 <= 50 ? "MET" : "MISSED");
      out.println("  during the measured rounds: " + stolen);
      double[] local = sorted(afterLocal);
      double[] remote = sorted(afterRemote);
      out.printf(Locale.ROOT, "  the same by change: local EndpointSlice p50 %.1f ms, p99 %.1f ms; remote catalog "
          + "entry "
          + "p50 %.1f ms, p99 %.1f ms%n", pct(local, 50), pct(local, 99), pct(remote, 50), pct(remote, 99));
      out.printf(Locale.ROOT, "  change -> gateway received, debounce included: p50 %.1f ms, p90 %.1f ms, p99 %.1f "
          + "ms, max %.1f ms (debounce per round: p50 %.1f ms, max %.1f ms)%n", pct(incl, 50), pct(incl, 90),
          pct(incl, 99), incl[incl.length - 1], pct(debounces, 50), debounces[debounces.length - 1]);
      out.printf(Locale.ROOT, "  snapshot set -> last gateway received: p50 %.1f ms, p99 %.1f ms (debounce "
          + "included); after debounce: p50 %.1f ms, p99 %.1f ms%n", pct(setToLast, 50), pct(setToLast, 99),
          pct(setToLastAfterDebounce, 50), pct(setToLastAfterDebounce, 99));
      Arrays.sort(handOverMs);
      Arrays.sort(recordedMs);
      double[] configSorted = sorted(configMs);
      double[] catalogSorted = sorted(catalogMs);
      out.printf(Locale.ROOT, "  change -> view handed to the translator (the hand-over included), p50 / p99: local "
          + "(the config store's next snapshot) %.1f / %.1f ms, remote (the catalog updated) %.1f / %.1f ms%n",
          pct(configSorted, 50),
          pct(configSorted, 99), pct(catalogSorted, 50), pct(catalogSorted, 99));
      out.printf(Locale.ROOT, "  translation per round (incremental, handed -> translated): p50 %.1f ms, p99 %.1f "
          + "ms%n", pct(translationMs, 50), pct(translationMs, 99));
      out.printf(Locale.ROOT, "  then, p50 / p99: translated -> snapshots set on the pipeline's context %.1f / %.1f "
          + "ms; set -> recorded by the server %.1f / %.1f ms; then the debounce; released -> gateway received "
          + "(approx.: from the server recording the snapshots, minus the debounce) %.1f / %.1f ms%n",
          pct(handOverMs, 50), pct(handOverMs, 99), pct(recordedMs, 50), pct(recordedMs, 99), pct(release, 50),
          pct(release, 99));
      out.println(slowest);
      out.printf(Locale.ROOT, "  gateways receiving per round: %s; load assignments changed per round: %s%n",
          histogram(receivedPerRound), histogram(changedPerRound));
      out.printf(Locale.ROOT, "  server side during the rounds: %.0f EDS responses, pilot_xds_send_time mean %.2f ms "
          + "over %d sends; GC %d ms%n", edsPushes, sends == 0 ? 0 : sendMs / sends, sends, gcDuring);
      long edsNamesHeld = gateways.stream().mapToLong(DeltaGateway::edsNameCount).sum();
      out.printf(Locale.ROOT, "  heap after GC holding mesh + translator + server + %d gateways' streams: %,d MiB   "
          + "[target: control plane <= 1024 MiB; this is an upper bound: it includes the gateways' own side, sets "
          + "of %,d EDS names sharing the server's strings]%n", o.gateways, usedAfterGc() >> 20, edsNamesHeld);
      out.printf(Locale.ROOT, "  machine: %d cores, load average %.1f (gateways, control plane and anything else "
          + "share them)%n", Runtime.getRuntime().availableProcessors(),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      return new Result(expectedPerRound, receivedPerRound, p99);
    } finally {
      List<Future<Void>> closing = new ArrayList<>();
      gateways.forEach(g -> closing.add(g.close().recover(e -> Future.succeededFuture())));
      Future.join(closing).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      awaitQuietly(server.close());
      awaitQuietly(clientVertx.close());
      awaitQuietly(serverVertx.close());
    }
  }

  /**
   * The three measured rounds whose last gateway received latest (after debounce), each split into its stages, so
   * that a p99 decided by a few rounds shows where those rounds spent their time.
   */
  private static String slowestRounds(int from, int to, double[] worst, double[] changeToHanded,
      double[] translation, double[] handOver, double[] recorded, double[] debounce, double[] setToLast, long[] gc) {
    List<Integer> rounds = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rounds.add(i);
    }
    rounds.sort((a, b) -> Double.compare(worst[b], worst[a]));
    StringBuilder text = new StringBuilder("  slowest rounds: last gateway received, after debounce = change -> "
        + "handed + translation + hand-over + snapshots set -> last received (after debounce; the server recording "
        + "them is part of it); GC = collectors' time during the round:");
    for (int i : rounds.subList(0, Math.min(3, rounds.size()))) {
      text.append(String.format(Locale.ROOT, "%n    round %d (%s): %.1f ms = %.1f + %.1f + %.1f + %.1f ms "
          + "(recorded %.1f ms, debounce %.1f ms); GC %d ms", i - from, i % 2 == 0 ? "local" : "remote", worst[i],
          changeToHanded[i], translation[i], handOver[i], setToLast[i], recorded[i], debounce[i], gc[i]));
    }
    return text.toString();
  }

  /** Fails unless the round changed some load assignment, and only the changed service's. */
  private static void checkChangedNames(int round, ServiceKey changed, Set<String> names) {
    if (names.isEmpty()) {
      throw new IllegalStateException("round " + round + ": the change of " + changed + " changed no group's load "
          + "assignments");
    }
    // outbound|8080|v1|svc-7.ns-7.svc.cluster.local (ingress), outbound_.8080_.v1_.svc-7.ns-7.svc.cluster.local
    // (east-west, SNI-named).
    String host = changed.name() + "." + changed.namespace() + ".svc.cluster.local";
    for (String name : names) {
      char before = name.length() > host.length() ? name.charAt(name.length() - host.length() - 1) : ' ';
      if (!name.endsWith(host) || (before != '|' && before != '.')) {
        throw new IllegalStateException("round " + round + ": the change of " + changed + " changed the load "
            + "assignment " + name + " of another service");
      }
    }
  }

  /** The load assignments whose version changed (or that appeared or went) from one snapshot to the next. */
  private static Set<String> changedNames(Snapshot before, Snapshot after) {
    SortedMap<String, VersionedResource> old = before == null ? new TreeMap<>()
        : before.resources(XdsResourceType.ENDPOINT);
    SortedMap<String, VersionedResource> now = after.resources(XdsResourceType.ENDPOINT);
    Set<String> changed = new HashSet<>();
    if (old == now) {
      return changed;
    }
    now.forEach((name, r) -> {
      VersionedResource was = old.get(name);
      if (was == null || !was.version().equals(r.version())) {
        changed.add(name);
      }
    });
    old.keySet().forEach(name -> {
      if (!now.containsKey(name)) {
        changed.add(name);
      }
    });
    return Set.copyOf(changed);
  }

  private static String key(String workload) {
    return BenchMesh.groups().stream().filter(g -> g.workload().equals(workload)).findFirst().orElseThrow().key();
  }

  /**
   * The node a meshfed gateway of this group announces, as {@code GatewayProcess.node} builds it: the Istio-style
   * identity plus {@code WORKLOAD_NAME}, {@code NAMESPACE} and {@code LABELS}, which the server's
   * {@link GatewayGrouping} reads.
   */
  private static Node node(GatewayGroup group, String podName, int index) {
    Node base = NodeIdentity.builder().ip("127.0.1." + (1 + index % 250)).podName(podName)
        .namespace(group.namespace()).clusterId(group.clusterId()).role(group.role().orElseThrow()).build().toNode();
    Struct.Builder labels = Struct.newBuilder();
    group.labels().forEach((k, v) -> labels.putFields(k, string(v)));
    return base.toBuilder().setMetadata(base.getMetadata().toBuilder()
        .putFields(GatewayGroup.WORKLOAD_NAME, string(group.workload()))
        .putFields(GatewayGroup.NAMESPACE, string(group.namespace()))
        .putFields(GatewayGroup.LABELS, Value.newBuilder().setStructValue(labels).build())).build();
  }

  private static Value string(String text) {
    return Value.newBuilder().setStringValue(text).build();
  }

  private static String counts(Translation translation) {
    return translation.snapshots().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " cds=" + e.getValue().resources(XdsResourceType.CLUSTER).size() + " eds="
            + e.getValue().resources(XdsResourceType.ENDPOINT).size())
        .collect(Collectors.joining(", "));
  }

  private static void failOnProblems(Queue<String> problems, String when) {
    if (!problems.isEmpty()) {
      throw new IllegalStateException(when + ": " + problems.size() + " problem(s): "
          + problems.stream().limit(10).toList());
    }
  }

  private static String histogram(int[] values) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int v : values) {
      counts.merge(v, 1, Integer::sum);
    }
    return counts.entrySet().stream().map(e -> e.getKey() + " in " + e.getValue() + " round(s)")
        .collect(Collectors.joining(", "));
  }

  private static double[] sorted(List<Double> values) {
    double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(out);
    return out;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return await(f, Duration.ofSeconds(60));
  }

  private static <T> T await(Future<T> f, Duration timeout) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void awaitQuietly(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("closing: " + e);
    }
  }
}
