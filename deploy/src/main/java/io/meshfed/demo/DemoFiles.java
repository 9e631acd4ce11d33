package io.meshfed.demo;

import io.meshfed.control.plane.ca.BootstrapTokens;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.local.LocalRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The demo's data directory: one trust domain (a local root CA in {@code <dir>/ca}, copied into each cluster's data
 * directory, where that cluster's control plane makes its own intermediate: docs/trust.md, "local"), and per cluster
 * the Istio YAML ({@link IstioConfig}), the control-plane settings ({@link ControlPlaneFile}), the gateways' settings
 * and bootstrap tokens ({@link GatewayFile}). Blocking file I/O: the demo's main thread.
 */
final class DemoFiles {

  private final DemoSettings settings;
  private final List<DemoCluster> topology;
  private final Consumer<String> progress;

  DemoFiles(DemoSettings settings, List<DemoCluster> topology, Consumer<String> progress) {
    this.settings = settings;
    this.topology = topology;
    this.progress = progress;
  }

  /** {@code <dir>/<cluster>}. */
  static Path clusterDir(DemoSettings settings, DemoCluster cluster) {
    return settings.dir().resolve(cluster.name());
  }

  /** Writes everything; the federation relays get free ports, known to both control planes' settings. */
  void write() {
    prepareDirectories();
    Map<String, Integer> relayPorts = new LinkedHashMap<>();
    for (DemoCluster cluster : topology) {
      relayPorts.put(cluster.name(), freePort(null));
    }
    for (DemoCluster cluster : topology) {
      writeClusterFiles(cluster, relayPorts);
    }
  }

  private Path clusterDir(DemoCluster cluster) {
    return clusterDir(settings, cluster);
  }

  private void prepareDirectories() {
    Path dir = settings.dir();
    try {
      createPrivate(dir);
      Files.deleteIfExists(dir.resolve(DemoManifest.FILE_NAME));
      LocalRoot root = LocalRoot.loadOrCreate(dir.resolve("ca"), TrustDomain.of(Demo.TRUST_DOMAIN));
      progress.accept("root CA " + dir.resolve("ca") + " (trust domain " + root.trustDomain() + ", sha256 "
          + TrustBundle.fingerprint(root.certificate()).substring(0, 16) + "...)");
      for (DemoCluster cluster : topology) {
        Path data = ControlPlaneFile.dataDir(clusterDir(cluster));
        createPrivate(data);
        Path ca = data.resolve("ca");
        if (!LocalRoot.exists(ca)) {
          // One mesh, one root: each control plane signs with its own intermediate under the shared root.
          createPrivate(ca);
          try (var files = Files.list(dir.resolve("ca"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
              Files.copy(file, ca.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw DemoException.failed(dir + ": cannot prepare the demo's data directory: " + e.getMessage()
          + " (expected: a writable directory; pick another with --dir)", e);
    }
  }

  private void writeClusterFiles(DemoCluster cluster, Map<String, Integer> relayPorts) {
    Path clusterDir = clusterDir(cluster);
    try {
      IstioConfig.write(ControlPlaneFile.configDir(clusterDir), cluster, topology);
      ControlPlaneFile.write(clusterDir, cluster, settings.meshId(), relayPorts, freePort("127.0.0.1"),
          settings.workloadCertTtl());
      Path data = ControlPlaneFile.dataDir(clusterDir);
      // Fresh tokens each start: the previous run's are useless to anyone.
      Files.deleteIfExists(BootstrapTokens.file(data));
      for (GatewayKind kind : GatewayKind.values()) {
        String token = BootstrapTokens.issue(data, SpiffeId.of(Demo.TRUST_DOMAIN, IstioConfig.SYSTEM_NAMESPACE,
            kind.workload()));
        // The control plane publishes its root here at start; the gateway reads it when it connects.
        GatewayFile.write(clusterDir, cluster, kind, settings.meshId(), data.resolve("root-cert.pem"), token);
      }
    } catch (IOException | RuntimeException e) {
      throw DemoException.failed(clusterDir + ": cannot write cluster " + cluster.name() + "'s files: "
          + e.getMessage(), e);
    }
    progress.accept("[" + cluster.name() + "] config " + ControlPlaneFile.configDir(clusterDir) + " (Gateway, "
        + "VirtualService, DestinationRule, Services " + String.join(", ", cluster.services()) + ")");
  }

  private static void createPrivate(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
          "rwx------")));
    }
  }

  /** A free port on {@code host} ({@code null}: the wildcard address, as the federation relay binds). */
  private static int freePort(String host) {
    try (ServerSocket socket = host == null ? new ServerSocket(0)
        : new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw DemoException.failed("cannot find a free port" + (host == null ? "" : " on " + host) + ": " + e, e);
    }
  }
}
