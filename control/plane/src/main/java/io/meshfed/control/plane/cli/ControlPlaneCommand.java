package io.meshfed.control.plane.cli;

import io.meshfed.control.plane.runtime.ControlPlane;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.meshfed.control.plane.runtime.SettingsException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed control-plane}: runs this cluster's control plane until SIGTERM (or SIGINT), then stops it
 * gracefully. Exit codes: 0 stopped, 1 the start failed, 2 usage or settings error.
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run this cluster's control plane (xDS, CA, admin API, federation member).",
        "Reads the settings file of docs/configuration.md (--config); options override single keys."},
    footer = {"", "Examples:",
        "  meshfed control-plane --config /etc/meshfed/control-plane.yaml",
        "  meshfed control-plane --config-dir ./istio-yaml --data-dir ./east --cluster-id east",
        "", "Exit codes: 0 stopped, 1 start failed, 2 usage or settings error."})
public final class ControlPlaneCommand implements Callable<Integer> {

  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;
  private static final long STOP_TIMEOUT_SECONDS = 30;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "The settings file (docs/configuration.md).")
  Path config;

  @Option(names = "--mesh-id", paramLabel = "ID", description = "meshId")
  String meshId;

  @Option(names = "--cluster-id", paramLabel = "ID", description = "clusterId")
  String clusterId;

  @Option(names = "--network", paramLabel = "NAME", description = "network")
  String network;

  @Option(names = "--trust-domain", paramLabel = "DOMAIN", description = "trustDomain")
  String trustDomain;

  @Option(names = "--system-namespace", paramLabel = "NS", description = "systemNamespace")
  String systemNamespace;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "dataDir")
  String dataDir;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "config.source=directory with config.directory=DIR (the embedded mode).")
  String configDir;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "config.kubeconfig (source kubernetes)")
  String kubeconfig;

  @Option(names = "--ca-mode", paramLabel = "MODE", description = "ca.mode: local, vault or vault-sign")
  String caMode;

  @Option(names = "--xds-address", paramLabel = "HOST:PORT", description = "xds.plaintextAddress ('' disables)")
  String xdsAddress;

  @Option(names = "--xds-tls-address", paramLabel = "HOST:PORT", description = "xds.tlsAddress ('' disables)")
  String xdsTlsAddress;

  @Option(names = "--admin-address", paramLabel = "HOST:PORT", description = "admin.address")
  String adminAddress;

  @Option(names = "--webhook-address", paramLabel = "HOST:PORT", description = "webhook.address ('' disables)")
  String webhookAddress;

  @Option(names = "--relay-port", paramLabel = "PORT", description = "federation.relayPort")
  String relayPort;

  @Option(names = "--hazelcast-port", paramLabel = "PORT", description = "federation.hazelcastPort")
  String hazelcastPort;

  @Option(names = "--federation-member", paramLabel = "ID=HOST:PORT",
      description = "federation.members: another control plane's relay; repeatable (replaces the file's list).")
  List<String> members = new ArrayList<>();

  /** The overrides the options make, by settings key. */
  Map<String, String> overrides() {
    Map<String, String> out = new LinkedHashMap<>();
    put(out, "meshId", meshId);
    put(out, "clusterId", clusterId);
    put(out, "network", network);
    put(out, "trustDomain", trustDomain);
    put(out, "systemNamespace", systemNamespace);
    put(out, "dataDir", dataDir);
    if (configDir != null) {
      out.put("config.source", "directory");
      out.put("config.directory", configDir);
    }
    put(out, "config.kubeconfig", kubeconfig);
    put(out, "ca.mode", caMode);
    put(out, "xds.plaintextAddress", xdsAddress);
    put(out, "xds.tlsAddress", xdsTlsAddress);
    put(out, "admin.address", adminAddress);
    put(out, "webhook.address", webhookAddress);
    put(out, "federation.relayPort", relayPort);
    put(out, "federation.hazelcastPort", hazelcastPort);
    if (!members.isEmpty()) {
      out.put("federation.members", String.join(",", members));
    }
    return out;
  }

  private static void put(Map<String, String> out, String key, String value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    ControlPlaneSettings settings;
    try {
      settings = ControlPlaneSettings.load(config, overrides());
    } catch (SettingsException e) {
      spec.commandLine().getErr().println("meshfed control-plane: " + e.getMessage());
      return EXIT_USAGE;
    }
    Vertx vertx = Vertx.vertx();
    String version = Optional.ofNullable(ControlPlaneCommand.class.getPackage().getImplementationVersion())
        .orElse("dev");
    ControlPlane plane;
    try {
      plane = ControlPlane.start(vertx, settings, ControlPlane.Options.meshTranslation(version, settings))
          .toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      spec.commandLine().getErr().println("meshfed control-plane: start failed: " + e.getCause().getMessage());
      vertx.close();
      return EXIT_FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM: stop gracefully (close listeners, leave the federation) before the JVM exits.
      try {
        plane.close().eventually(vertx::close).toCompletionStage().toCompletableFuture()
            .get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("meshfed control-plane: stop did not complete: " + e);
      } finally {
        stopped.countDown();
      }
    }, "meshfed-control-plane-stop"));
    stopped.await();
    return 0;
  }
}
