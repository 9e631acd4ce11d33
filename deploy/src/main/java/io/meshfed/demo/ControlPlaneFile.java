package io.meshfed.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One demo cluster's control-plane settings file (docs/configuration.md, "Control plane"): the same file
 * {@code meshfed control-plane --config FILE} reads, so the demo's data directory doubles as a template for running
 * the clusters as separate processes (docs/local-federation.md).
 */
final class ControlPlaneFile {

  /** How long a silent cluster's endpoints stay before they are withdrawn: short, so the demo shows it. */
  static final String LEASE_GRACE = "20s";

  private ControlPlaneFile() {
  }

  /**
   * Writes {@code <clusterDir>/control-plane.yaml}.
   *
   * @param relayPorts every cluster's federation relay port, by cluster name
   * @param hazelcastPort this cluster's Hazelcast port (loopback)
   */
  static Path write(Path clusterDir, DemoCluster cluster, String meshId, Map<String, Integer> relayPorts,
      int hazelcastPort) throws IOException {
    StringBuilder members = new StringBuilder();
    relayPorts.forEach((name, port) -> {
      if (!name.equals(cluster.name())) {
        members.append("\n    - ").append(name).append("=127.0.0.1:").append(port);
      }
    });
    String yaml = """
        # meshfed demo, cluster %1$s: `meshfed control-plane --config` reads this file.
        meshId: %2$s
        clusterId: %1$s
        network: %3$s
        trustDomain: cluster.local
        systemNamespace: %4$s
        locality: {region: %1$s, zone: %1$s-a}
        dataDir: %5$s
        config:
          source: directory
          directory: %6$s
        ca:
          mode: local
        federation:
          members:%7$s
          relayPort: %8$d
          hazelcastPort: %9$d
          leaseGrace: %10$s
          onStale: withdraw
          remoteSecretTimeout: 5s
        xds:
          plaintextAddress: %11$s:%12$d
          tlsAddress: %11$s:%13$d
          debounceAfter: 100ms
          debounceMax: 1s
        admin:
          address: %11$s:%14$d
        webhook:
          address: ""
        """.formatted(cluster.name(), meshId, cluster.network(), IstioConfig.SYSTEM_NAMESPACE,
        dataDir(clusterDir), configDir(clusterDir), members, relayPorts.get(cluster.name()), hazelcastPort,
        LEASE_GRACE, cluster.controlPlaneHost(), DemoCluster.XDS_PORT, DemoCluster.XDS_TLS_PORT,
        DemoCluster.ADMIN_PORT);
    Path file = clusterDir.resolve("control-plane.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  /** The control plane's data directory: its CA (under the shared root), bootstrap tokens, root certificate. */
  static Path dataDir(Path clusterDir) {
    return clusterDir.resolve("data");
  }

  /** The Istio YAML directory the control plane watches. */
  static Path configDir(Path clusterDir) {
    return clusterDir.resolve("config");
  }
}
