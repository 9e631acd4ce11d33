package io.meshfed.demo;

import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.gateway.GatewaySettingsReader;
import io.meshfed.control.plane.runtime.ControlPlane;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.meshfed.control.plane.runtime.SettingsException;
import io.meshfed.launcher.GatewayRoles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code meshfed demo}: a federation of clusters on this machine with embedded defaults, started in this order and
 * stopped in reverse (a failed start stops what already runs):
 * <ol>
 *   <li>the data directory ({@link DemoFiles}): one trust domain (a local root CA shared by the clusters' CAs), and
 *       per cluster, on its own loopback subnet ({@link DemoCluster}), the Istio YAML, the control plane's and the
 *       gateways' settings files and the gateways' bootstrap tokens;</li>
 *   <li>the sample backends ({@link SampleBackend});</li>
 *   <li>the control planes (directory mode, local CA, federated over the SPIFFE mTLS relay), awaited until ready;</li>
 *   <li>per cluster an east-west gateway and an ingress gateway, which take their SVIDs from their control plane's
 *       CA and their configuration over ADS;</li>
 *   <li>real requests through every ingress ({@link TrafficProbe}) until the local and the cross-cluster routes
 *       answer; then {@code <dir>/demo.json} ({@link DemoManifest}).</li>
 * </ol>
 * Each cluster runs on its own Vert.x instance, as if on its own machine. {@link #start} and {@link #stop} block: call
 * them from a main thread (the launcher's), never from an event loop.
 */
public final class Demo {

  /** The trust domain of the demo mesh (Istio's default). */
  public static final String TRUST_DOMAIN = "cluster.local";
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final long START_TIMEOUT_SECONDS = 60;

  private final DemoSettings settings;
  private final List<DemoCluster> topology;
  private final Consumer<String> progress;
  private final ShutdownSteps shutdown = new ShutdownSteps();
  private volatile boolean stopping;
  private String version = "dev";
  private final Map<String, ControlPlane> controlPlanes = new LinkedHashMap<>();
  private final Map<String, Vertx> vertxByCluster = new LinkedHashMap<>();
  private final List<SampleBackend> backends = new java.util.concurrent.CopyOnWriteArrayList<>();
  private List<String> commands = List.of();
  private Path manifest;

  private Demo(DemoSettings settings, Consumer<String> progress) {
    this.settings = settings;
    this.topology = settings.topology();
    this.progress = progress;
  }

  /** A demo not started yet: {@link #start} it; {@link #stop} may be called at any time, from another thread. */
  public static Demo create(DemoSettings settings, Consumer<String> progress) {
    return new Demo(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(progress, "progress"));
  }

  /**
   * Starts the demo and returns once traffic flows through every ingress; a failure stops what started. A
   * {@link #stop()} during the start (Ctrl-C) stops what started so far and makes the start fail.
   *
   * @param version the version the control planes announce
   * @throws DemoException what failed and what to do
   */
  public void start(String version) throws InterruptedException {
    this.version = Objects.requireNonNull(version, "version");
    try {
      startSteps(version);
    } catch (RuntimeException | InterruptedException e) {
      stop();
      throw e;
    }
  }

  private void startSteps(String version) throws InterruptedException {
    writeFiles();
    startBackends();
    checkNotStopping();
    startControlPlanes(version);
    awaitControlPlanes();
    for (DemoCluster cluster : topology) {
      checkNotStopping();
      startGateways(cluster);
    }
    probeTraffic();
    checkNotStopping();
    commands = DemoCommands.of(topology);
    try {
      DemoManifest.write(settings.dir(), DemoManifest.ADMINS_FILE, DemoManifest.admins(topology));
      manifest = DemoManifest.write(settings.dir(), DemoManifest.of(settings, topology, commands));
      shutdown.add("demo.json", () -> {
        try {
          Files.deleteIfExists(manifest);
          return Future.succeededFuture();
        } catch (IOException e) {
          return Future.failedFuture(e);
        }
      });
    } catch (IOException e) {
      throw DemoException.failed(settings.dir().resolve(DemoManifest.FILE_NAME) + ": cannot write: " + e, e);
    }
  }

  /**
   * Writes what every process of the federation reads, without starting anything: the shared root CA and each
   * cluster's copy, the Istio YAML directories, the control planes' and gateways' settings files and the gateways'
   * bootstrap tokens (docs/local-federation.md runs them as separate processes). Blocking.
   */
  public void writeFiles() {
    new DemoFiles(settings, topology, progress).write();
  }

  /** Starts the sample backends of every cluster (one Vert.x instance per cluster); {@link #stop} stops them. */
  public void startBackends() throws InterruptedException {
    for (DemoCluster cluster : topology) {
      checkNotStopping();
      Vertx vertx = Vertx.vertx();
      vertxByCluster.put(cluster.name(), vertx);
      shutdown.add(cluster.name() + " Vert.x", vertx::close);
      startBackends(cluster, vertx);
    }
  }

  /**
   * Stops the backends of {@code service} in {@code cluster}, as if its pods died (their "pod IPs" stay in the
   * config, so the gateways find out by connecting); returns the workloads stopped. Blocking.
   */
  public List<SampleWorkload> stopWorkloads(String cluster, String service) throws InterruptedException {
    List<SampleWorkload> stopped = new ArrayList<>();
    for (SampleBackend backend : List.copyOf(backends)) {
      SampleWorkload workload = backend.workload();
      if (workload.cluster().equals(cluster) && workload.service().equals(service)) {
        await(backend.close(), "stopping " + workload.servedBy());
        backends.remove(backend);
        stopped.add(workload);
      }
    }
    return stopped;
  }

  /**
   * Stops {@code cluster}'s control plane and starts it again from its settings file, as a rolling restart does;
   * its gateways keep serving their last configuration meanwhile and reconnect. Returns once it is ready. Blocking.
   */
  public void restartControlPlane(String cluster) throws InterruptedException {
    DemoCluster target = cluster(cluster);
    stopControlPlane(cluster);
    startControlPlane(target, version);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    ControlPlane restarted = controlPlanes.get(cluster);
    while (!restarted.ready()) {
      if (System.nanoTime() > deadline) {
        throw DemoException.failed("control plane " + cluster + " not ready within " + READY_TIMEOUT.toSeconds()
            + " s after its restart: " + restarted.readinessText().strip().replace('\n', ';'), null);
      }
      Thread.sleep(100);
    }
    progress.accept("[" + cluster + "] control plane ready again");
  }

  /**
   * Stops {@code cluster}'s control plane for good, as a cluster that leaves the federation: it stops heartbeating,
   * so the other clusters keep its exports while its lease runs (stale), then withdraw them after
   * {@code federation.leaseGrace}; its gateways keep serving their last configuration. Blocking.
   */
  public void stopControlPlane(String cluster) throws InterruptedException {
    cluster(cluster);
    ControlPlane plane = controlPlanes.remove(cluster);
    if (plane != null) {
      await(plane.close(), "stopping control plane " + cluster);
      progress.accept("[" + cluster + "] control plane stopped");
    }
  }

  private DemoCluster cluster(String name) {
    return topology.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("cluster: " + name + " (expected: one of "
            + topology.stream().map(DemoCluster::name).toList() + ")"));
  }

  // ------------------------------------------------------------------ steps

  private void startBackends(DemoCluster cluster, Vertx vertx) throws InterruptedException {
    List<String> started = new ArrayList<>();
    for (SampleWorkload workload : cluster.workloads()) {
      String host = cluster.workloadHost(workload);
      SampleBackend backend = await(SampleBackend.start(vertx, workload, host, DemoCluster.SERVICE_PORT),
          "sample backend " + workload.servedBy() + " on " + host + ":" + DemoCluster.SERVICE_PORT);
      backends.add(backend);
      shutdown.add("backend " + workload.servedBy(), backend::close);
      started.add(workload.service() + " " + workload.version() + " " + host + ":" + backend.port());
    }
    progress.accept("[" + cluster.name() + "] sample backends: " + String.join(", ", started));
  }

  private void startControlPlane(DemoCluster cluster, String version) throws InterruptedException {
    registerControlPlane(cluster, beginControlPlane(cluster, version));
  }

  /**
   * Starts every cluster's control plane at once, so their federation relays find each other without a round of
   * retries; a failure is reported after every start has settled (and what started is registered for the stop).
   * With three or more clusters each member discovers only the next one in the ring ({@link ControlPlaneFile}), so
   * started at once they can form separate Hazelcast clusters that merge only later: they start one after another,
   * the first, then the last, then each one's predecessor, so every member's one peer already runs when it joins.
   */
  private void startControlPlanes(String version) throws InterruptedException {
    if (topology.size() > 2) {
      registerControlPlane(topology.get(0), beginControlPlane(topology.get(0), version));
      for (int i = topology.size() - 1; i > 0; i--) {
        checkNotStopping();
        registerControlPlane(topology.get(i), beginControlPlane(topology.get(i), version));
      }
      return;
    }
    Map<DemoCluster, Future<ControlPlane>> starting = new LinkedHashMap<>();
    for (DemoCluster cluster : topology) {
      starting.put(cluster, beginControlPlane(cluster, version));
    }
    DemoException failure = null;
    for (Map.Entry<DemoCluster, Future<ControlPlane>> entry : starting.entrySet()) {
      try {
        registerControlPlane(entry.getKey(), entry.getValue());
      } catch (DemoException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private Future<ControlPlane> beginControlPlane(DemoCluster cluster, String version) {
    Path file = clusterDir(cluster).resolve("control-plane.yaml");
    ControlPlaneSettings planeSettings;
    try {
      planeSettings = ControlPlaneSettings.load(file, Map.of());
    } catch (SettingsException e) {
      throw DemoException.failed("generated " + file + " is invalid: " + e.getMessage(), e);
    }
    return ControlPlane.start(vertxByCluster.get(cluster.name()), planeSettings,
        ControlPlane.Options.meshTranslation(version, planeSettings));
  }

  private void registerControlPlane(DemoCluster cluster, Future<ControlPlane> starting)
      throws InterruptedException {
    ControlPlane plane = await(starting, "control plane " + cluster.name() + " ("
        + clusterDir(cluster).resolve("control-plane.yaml") + ")");
    controlPlanes.put(cluster.name(), plane);
    shutdown.add("control plane " + cluster.name(), plane::close);
    progress.accept("[" + cluster.name() + "] control plane started: xDS " + cluster.controlPlaneHost() + ":"
        + plane.xdsTlsPort() + ", admin " + cluster.adminUrl());
  }


  private void awaitControlPlanes() throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    for (DemoCluster cluster : topology) {
      ControlPlane plane = controlPlanes.get(cluster.name());
      while (!plane.ready()) {
        checkNotStopping();
        if (System.nanoTime() > deadline) {
          throw DemoException.failed("control plane " + cluster.name() + " not ready within "
              + READY_TIMEOUT.toSeconds() + " s: " + plane.readinessText().strip().replace('\n', ';')
              + " (see " + cluster.adminUrl() + "/ready)", null);
        }
        Thread.sleep(100);
      }
      progress.accept("[" + cluster.name() + "] control plane ready");
    }
  }

  /**
   * The cluster's east-west and ingress gateways, in-JVM from their settings files: each asks its control plane's CA
   * for its SVID with its bootstrap token, then takes its listeners over ADS (mTLS, :15012).
   */
  private void startGateways(DemoCluster cluster) throws InterruptedException {
    Vertx vertx = vertxByCluster.get(cluster.name());
    Path clusterDir = clusterDir(cluster);
    for (GatewayKind kind : GatewayKind.values()) {
      Path file = GatewayFile.settingsFile(clusterDir, kind);
      GatewaySettings gateway;
      try {
        gateway = GatewaySettingsReader.read(kind.gatewayRole(), file, Map.of());
      } catch (GatewaySettingsException e) {
        throw DemoException.failed("generated " + file + " is invalid: " + e.getMessage(), e);
      }
      String what = kind.role() + " gateway " + cluster.name() + " (" + file + ")";
      GatewayProcess started = await(GatewayRoles.start(vertx, gateway), what);
      shutdown.add(what, () -> started.stop("meshfed demo stopping"));
      String host = GatewayFile.host(cluster, kind);
      progress.accept("[" + cluster.name() + "] " + kind.role() + " gateway started on " + host + " (SVID spiffe://"
          + TRUST_DOMAIN + "/ns/" + IstioConfig.SYSTEM_NAMESPACE + "/sa/" + kind.workload() + ", admin http://"
          + host + ":" + DemoCluster.GATEWAY_ADMIN_PORT + ")");
    }
  }

  /**
   * Every ingress answers the weighted route (served by some cluster's reviews: each cluster's ingress balances over
   * its own and the other clusters' endpoints) and the cross-cluster route (served by west's ratings).
   */
  private void probeTraffic() throws InterruptedException {
    TrafficProbe probe = new TrafficProbe();
    for (DemoCluster cluster : topology) {
      String shared = "/" + DemoSettings.SHARED_SERVICE + "/";
      TrafficProbe.Observation seen = probe.await(cluster.ingressUrl() + shared.substring(0, shared.length() - 1),
          "*" + shared + "*", servedBy -> servedBy.contains(shared), READY_TIMEOUT);
      progress.accept("[" + cluster.name() + "] GET " + cluster.ingressUrl() + "/" + DemoSettings.SHARED_SERVICE
          + " -> " + seen);
      String remote = "west/" + DemoSettings.WEST_ONLY_SERVICE + "/";
      seen = probe.await(cluster.ingressUrl() + "/" + DemoSettings.WEST_ONLY_SERVICE, remote + "*",
          servedBy -> servedBy.startsWith(remote), READY_TIMEOUT);
      progress.accept("[" + cluster.name() + "] GET " + cluster.ingressUrl() + "/" + DemoSettings.WEST_ONLY_SERVICE
          + " -> " + seen);
    }
  }

  // ------------------------------------------------------------------ accessors

  public DemoSettings settings() {
    return settings;
  }

  /** The clusters and where they run. */
  public List<DemoCluster> clusters() {
    return topology;
  }

  /** The ingress URL of the first cluster (east): what the ready line names. */
  public String ingressUrl() {
    return topology.get(0).ingressUrl();
  }

  /** {@code <dir>/demo.json}. */
  public Path manifest() {
    return manifest;
  }

  /** The commands to try, as the launcher prints them. */
  public List<String> commands() {
    return commands;
  }

  /**
   * Stops everything, newest first: gateways drain, control planes leave the federation, backends close, Vert.x
   * instances close; {@code demo.json} is removed. Returns what failed to stop (empty when all stopped).
   */
  public List<String> stop() {
    stopping = true;
    return shutdown.stopAll();
  }

  private void checkNotStopping() {
    if (stopping) {
      throw DemoException.failed("stopped while starting", null);
    }
  }

  // ------------------------------------------------------------------ helpers

  private Path clusterDir(DemoCluster cluster) {
    return DemoFiles.clusterDir(settings, cluster);
  }

  /** Waits for a start step; a failure names the step and, for a taken address, what to do. */
  private static <T> T await(Future<T> future, String what) throws InterruptedException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String hint = bindFailure(cause) ? " (expected: a free address; is another `meshfed demo` running? stop it, "
          + "or use --first-subnet N to move this one to 127.0.N.0/24)" : "";
      throw DemoException.failed(what + ": " + cause.getMessage() + hint, cause);
    } catch (TimeoutException e) {
      throw DemoException.failed(what + ": did not start within " + START_TIMEOUT_SECONDS + " s", e);
    }
  }

  private static boolean bindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }
}
