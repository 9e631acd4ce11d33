package io.meshfed.launcher;

import io.meshfed.demo.Demo;
import io.meshfed.demo.DemoException;
import io.meshfed.demo.DemoSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed demo}: starts the federation of {@link Demo} on this machine, prints one progress line per step,
 * then exactly one {@code meshfed demo ready: <ingress URL>} line once traffic flows, and the commands to try; runs
 * until Ctrl-C (or SIGTERM), then stops everything in a shutdown hook (so the JVM exits 130 or 143, as any process
 * stopped by that signal). Exit codes of a start that does not get there: 1 the start failed, 2 usage error.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Start a federation of clusters on this machine: east and west, or with",
        "--clusters N (2..9) also north, south, cluster-5 ... cluster-9.",
        "Per cluster, on its own loopback subnet 127.0.<n>.0/24: a control plane",
        "(local CA under one shared root, a directory of Istio YAML), an east-west",
        "gateway, an ingress gateway and sample HTTP backends; the control planes",
        "federate in-process over the SPIFFE mTLS relay. Every cluster runs reviews",
        "v1/v2; only west runs ratings (the cross-cluster call from every ingress).",
        "Prints one line 'meshfed demo ready: <ingress URL>' once traffic flows,",
        "then curl commands to try, and writes <dir>/demo.json. Ctrl-C stops it."},
    footer = {"",
        "Addresses (n = first-subnet + cluster index):",
        "  ingress gateway    127.0.n.1:<ingress-port>",
        "  east-west gateway  127.0.n.2:15443 (admin :15000)",
        "  control plane      127.0.n.3 (:15012 xDS + CA, :15014 admin)",
        "  sample backends    127.0.n.10, .11, ...:9080",
        "",
        "Exit codes: 130/143 stopped by Ctrl-C/SIGTERM, 1 start failed, 2 usage error."})
final class DemoCommand implements Callable<Integer> {

  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--clusters", paramLabel = "N", defaultValue = "2",
      description = "How many clusters, 2..9 (default: ${DEFAULT-VALUE}: east and west; then north, south, "
          + "cluster-5 ...).")
  int clusters;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "meshfed-demo",
      description = "Data directory: CA, per-cluster config and data, demo.json (default: ./${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--ingress-port", paramLabel = "PORT", defaultValue = "8080",
      description = "Every cluster's ingress HTTP port, on the cluster's own address (default: ${DEFAULT-VALUE}).")
  int ingressPort;

  @Option(names = "--first-subnet", paramLabel = "N", defaultValue = "1",
      description = "Cluster i uses 127.0.<N+i>.0/24 (default: ${DEFAULT-VALUE}: east 127.0.1.x, west 127.0.2.x).")
  int firstSubnet;

  @Option(names = "--workload-cert-ttl", paramLabel = "DURATION", defaultValue = "24h",
      description = "Lifetime of the certificates the control planes issue (ca.workloadCertTtl; default: "
          + "${DEFAULT-VALUE}, at least 30s): the gateways renew theirs at half life, so e.g. 1m shows rotation "
          + "under traffic.")
  String workloadCertTtl;

  @Option(names = "--files-only",
      description = "Write the CA, the Istio YAML and every process's settings file into DIR, print how to run each "
          + "process (docs/local-federation.md), and exit.")
  boolean filesOnly;

  @Option(names = "--backends-only",
      description = "Run only the sample backends (for the multi-process federation of docs/local-federation.md).")
  boolean backendsOnly;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (filesOnly && backendsOnly) {
      err.println("meshfed demo: --files-only and --backends-only: both given (expected: at most one)");
      return EXIT_USAGE;
    }
    DemoSettings settings;
    try {
      settings = DemoSettings.builder(dir).clusters(clusters).ingressPort(ingressPort).firstSubnet(firstSubnet)
          .workloadCertTtl(ttl(workloadCertTtl)).build();
    } catch (IllegalArgumentException e) {
      err.println("meshfed demo: " + e.getMessage());
      return EXIT_USAGE;
    }
    quietLogs();
    out.println("meshfed demo: " + (filesOnly ? "writing the files of " : backendsOnly
        ? "starting the sample backends of " : "starting ") + settings.clusters() + " clusters in " + settings.dir());
    out.flush();
    Demo demo = Demo.create(settings, line -> {
      out.println("  " + line);
      out.flush();
    });
    if (filesOnly) {
      return writeFiles(demo, settings, out, err);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      // Ctrl-C / SIGTERM, also while starting: drain the gateways, leave the federation, close the servers.
      System.out.println("meshfed demo: stopping");
      List<String> failed = demo.stop();
      System.out.println(failed.isEmpty() ? "meshfed demo: stopped" : "meshfed demo: stopped; did not stop "
          + "cleanly: " + String.join(", ", failed));
      System.out.flush();
      stopped.countDown();
    }, "meshfed-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (backendsOnly) {
        demo.startBackends();
        out.println("meshfed demo: sample backends running. Ctrl-C stops them.");
        out.flush();
        stopped.await();
        return 0;
      }
      demo.start(BuildInfo.version());
    } catch (DemoException e) {
      removeHook(hook);
      err.println("meshfed demo: start failed: " + e.getMessage());
      return EXIT_FAILED;
    }
    out.println("meshfed demo ready: " + demo.ingressUrl());
    out.println();
    out.println("Try:");
    demo.commands().forEach(command -> out.println("  " + command));
    out.println();
    out.println("Everything is listed in " + demo.manifest() + ". Ctrl-C stops the demo.");
    out.flush();
    stopped.await();
    return 0;
  }

  private static int writeFiles(Demo demo, DemoSettings settings, PrintWriter out, PrintWriter err) {
    try {
      demo.writeFiles();
    } catch (DemoException e) {
      err.println("meshfed demo: " + e.getMessage());
      return EXIT_FAILED;
    }
    Path dir = settings.dir();
    out.println("meshfed demo: files written; run each process (docs/local-federation.md):");
    out.println("  bin/meshfed demo --dir " + dir + " --backends-only");
    for (var cluster : settings.topology()) {
      out.println("  bin/meshfed control-plane --config " + dir.resolve(cluster.name()).resolve("control-plane.yaml"));
    }
    for (var cluster : settings.topology()) {
      for (String role : List.of("eastwest", "ingress")) {
        out.println("  bin/meshfed gateway --role " + role + " --config "
            + dir.resolve(cluster.name()).resolve(role + "-gateway.yaml"));
      }
    }
    out.println("then: curl -si " + settings.topology().get(0).ingressUrl() + "/ratings");
    return 0;
  }

  /** Go's duration syntax, as the settings files and Istio's CRDs write them ({@code 90s}, {@code 1m}, {@code 24h}). */
  private static java.time.Duration ttl(String text) {
    return io.meshfed.control.plane.istio.Durations.parse(text.trim()).orElseThrow(() ->
        new IllegalArgumentException("--workload-cert-ttl: " + text + " (expected: a duration such as 90s, 1m or "
            + "24h)"));
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already stopping (Ctrl-C during the start): the hook runs and stops what started.
    }
  }

  /**
   * The demo's own lines are its output: components log only warnings and errors (on stderr) unless
   * {@code MESHFED_LOG_LEVEL} asks for more. {@code LauncherLogging} reads the level from
   * this property or the environment.
   */
  private static void quietLogs() {
    if (System.getenv("MESHFED_LOG_LEVEL") == null && System.getProperty("MESHFED_LOG_LEVEL") == null) {
      System.setProperty("MESHFED_LOG_LEVEL", "WARN");
    }
  }
}
