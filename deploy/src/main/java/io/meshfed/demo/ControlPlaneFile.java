package io.meshfed.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
   * @param relayPorts every cluster's federation relay port, by cluster name, in cluster order
   * @param hazelcastPort this cluster's Hazelcast port (loopback)
   * @param workloadCertTtl {@code ca.workloadCertTtl}
   */
  static Path write(Path clusterDir, DemoCluster cluster, String meshId, Map<String, Integer> relayPorts,
      int hazelcastPort, Duration workloadCertTtl) throws IOException {
    String peer = relayPeer(cluster.name(), List.copyOf(relayPorts.keySet()));
    String members = "\n    - " + peer + "=127.0.0.1:" + relayPorts.get(peer);
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
          workloadCertTtl: %15$ds
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
        DemoCluster.ADMIN_PORT, workloadCertTtl.toSeconds());
    Path file = clusterDir.resolve("control-plane.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  /**
   * The one peer this cluster's relay serves: the next cluster, in a ring (east's is west, west's is east with two
   * clusters; east, west, north: west, north, east). On one host a peer's virtual address can be served by one
   * relay only (docs/federation.md, "Limits"), and every member on the host dials that one listener: so each
   * address is served exactly once, by one relay, and every member still reaches every other one (Hazelcast learns
   * the whole member list from the first peer it joins).
   */
  static String relayPeer(String cluster, List<String> clusters) {
    int index = clusters.indexOf(cluster);
    if (index < 0) {
      throw new IllegalArgumentException("cluster: " + cluster + " (expected: one of " + clusters + ")");
    }
    return clusters.get((index + 1) % clusters.size());
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
