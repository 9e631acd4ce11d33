package io.meshfed.launcher;

import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.gateway.GatewaySettingsReader;
import io.meshfed.control.client.xds.GatewayRole;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed gateway --role eastwest|ingress|egress}: runs one gateway until SIGTERM, then drains it. Exit codes:
 * 0 stopped, 1 the start failed (a port taken, the CA refused), 2 usage or settings error.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run one gateway (east-west, ingress or egress), driven by its control plane over xDS.",
        "Reads the gateway settings file of docs/configuration.md (--config); options override single keys.",
        "With xds.caCertFile the gateway gets its SVID from the control plane's CA (:15012, proving itself with",
        "xds.tokenFile) and speaks ADS over mTLS; without it ADS is plaintext (:15010, local use) and there is no SVID."},
    footer = {"", "Examples:",
        "  meshfed gateway --role eastwest --config /etc/meshfed/gateway.yaml",
        "  meshfed gateway --role ingress --cluster-id east --xds-address 127.0.0.1:15010 \\",
        "      --listener-host 127.0.1.1 --label istio=ingressgateway",
        "  meshfed gateway --role eastwest --cluster-id west --xds-address 127.0.2.1:15012 \\",
        "      --ca-cert-file west/root-cert.pem --token-file west/eastwest.token",
        "", "SIGTERM drains: readiness fails at once, listeners stop accepting, in-flight work has drainTimeout.",
        "Exit codes: 0 stopped, 1 start failed, 2 usage or settings error."})
final class GatewayCommand implements Callable<Integer> {

  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** The three gateway roles a cluster runs. */
  enum Role {
    eastwest(GatewayRole.EASTWEST), ingress(GatewayRole.INGRESS), egress(GatewayRole.EGRESS);

    final GatewayRole role;

    Role(GatewayRole role) {
      this.role = role;
    }
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--role", required = true, paramLabel = "ROLE",
      description = "Which gateway to run: ${COMPLETION-CANDIDATES}.")
  Role role;

  @Option(names = "--config", paramLabel = "FILE", description = "The settings file (docs/configuration.md).")
  Path config;

  @Option(names = "--name", paramLabel = "NAME",
      description = "name: the gateway workload (default meshfed-<role>gateway).")
  String name;

  @Option(names = "--pod-name", paramLabel = "NAME", description = "podName (default $POD_NAME, else the name).")
  String podName;

  @Option(names = "--namespace", paramLabel = "NS", description = "namespace (default meshfed-system).")
  String namespace;

  @Option(names = "--cluster-id", paramLabel = "ID", description = "clusterId (required).")
  String clusterId;

  @Option(names = "--network", paramLabel = "NAME", description = "network")
  String network;

  @Option(names = "--mesh-id", paramLabel = "ID", description = "meshId")
  String meshId;

  @Option(names = "--service-account", paramLabel = "SA", description = "serviceAccount (default: the name).")
  String serviceAccount;

  @Option(names = "--trust-domain", paramLabel = "DOMAIN", description = "trustDomain (default cluster.local).")
  String trustDomain;

  @Option(names = "--label", paramLabel = "KEY=VALUE",
      description = "labels: the gateway's pod labels; repeatable (replaces the file's labels).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--pod-ip", paramLabel = "IP", description = "podIp (default $POD_IP, else 127.0.0.1).")
  String podIp;

  @Option(names = "--xds-address", paramLabel = "HOST:PORT", description = "xds.address (required).")
  String xdsAddress;

  @Option(names = "--xds-protocol", paramLabel = "delta|sotw", description = "xds.protocol (default delta).")
  String xdsProtocol;

  @Option(names = "--ca-cert-file", paramLabel = "FILE",
      description = "xds.caCertFile: the mesh root; turns on mTLS and the CA.")
  String caCertFile;

  @Option(names = "--token-file", paramLabel = "FILE", description = "xds.tokenFile: proves the identity to the CA.")
  String tokenFile;

  @Option(names = "--health-port", paramLabel = "PORT", description = "ports.health (default 15021).")
  String healthPort;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "ports.metrics (default 15090).")
  String metricsPort;

  @Option(names = "--admin-address", paramLabel = "HOST:PORT",
      description = "ports.admin (default 127.0.0.1:15000).")
  String adminAddress;

  @Option(names = "--bind-host", paramLabel = "HOST",
      description = "ports.bindHost: where health and metrics listen (default 0.0.0.0).")
  String bindHost;

  @Option(names = "--listener-host", paramLabel = "HOST",
      description = "listenerHost: bind every xDS listener on this host, at its xDS port.")
  String listenerHost;

  @Option(names = "--listener", paramLabel = "NAME=HOST:PORT",
      description = "listeners: bind xDS listener NAME (0.0.0.0_8080) here instead; repeatable.")
  List<String> listeners = new ArrayList<>();

  @Option(names = "--drain-timeout", paramLabel = "DURATION", description = "drainTimeout (default 30s).")
  String drainTimeout;

  @Option(names = "--transport", paramLabel = "auto|epoll|nio",
      description = "transport: the data plane's network transport (default auto: io_uring where the kernel allows "
          + "it for ingress and egress, else epoll, else NIO).")
  String transport;

  /** The overrides the options (and $POD_NAME / $POD_IP) make, by settings key. */
  Map<String, String> overrides(Map<String, String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    put(out, "podName", environment.get("POD_NAME"));
    put(out, "podIp", environment.get("POD_IP"));
    put(out, "name", name);
    put(out, "podName", podName);
    put(out, "namespace", namespace);
    put(out, "clusterId", clusterId);
    put(out, "network", network);
    put(out, "meshId", meshId);
    put(out, "serviceAccount", serviceAccount);
    put(out, "trustDomain", trustDomain);
    put(out, "podIp", podIp);
    put(out, "xds.address", xdsAddress);
    put(out, "xds.protocol", xdsProtocol);
    put(out, "xds.caCertFile", caCertFile);
    put(out, "xds.tokenFile", tokenFile);
    put(out, "ports.health", healthPort);
    put(out, "ports.metrics", metricsPort);
    put(out, "ports.admin", adminAddress);
    put(out, "ports.bindHost", bindHost);
    put(out, "listenerHost", listenerHost);
    put(out, "drainTimeout", drainTimeout);
    put(out, "transport", transport);
    if (!labels.isEmpty()) {
      out.put("labels", String.join(",", labels));
    }
    if (!listeners.isEmpty()) {
      out.put("listeners", String.join(",", listeners));
    }
    return out;
  }

  private static void put(Map<String, String> out, String key, String value) {
    if (value != null && !value.isEmpty()) {
      out.put(key, value);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    GatewaySettings settings;
    try {
      settings = GatewaySettingsReader.read(role.role, config, overrides(System.getenv()));
    } catch (GatewaySettingsException e) {
      spec.commandLine().getErr().println("meshfed gateway: " + e.getMessage());
      return EXIT_USAGE;
    }
    Vertx vertx = Vertx.vertx();
    GatewayProcess running;
    try {
      running = GatewayRoles.start(vertx, settings).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      spec.commandLine().getErr().println("meshfed gateway: start failed: " + e.getCause().getMessage());
      vertx.close();
      return e.getCause() instanceof GatewaySettingsException ? EXIT_USAGE : EXIT_FAILED;
    }
    // SIGTERM: drain first (readiness 503, stop accepting, in-flight work has drainTimeout), then stop. One hook
    // does both in order: JVM shutdown hooks run concurrently, so a separate drain hook could race the stop.
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.stop("SIGTERM")
            .eventually(vertx::close).toCompletionStage().toCompletableFuture()
            .get(settings.drainTimeout().toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.err.println("meshfed gateway: stop did not complete: " + e);
      } finally {
        stopped.countDown();
      }
    }, "meshfed-gateway-stop"));
    stopped.await();
    return 0;
  }
}
