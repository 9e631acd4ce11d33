package io.meshfed.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One demo gateway's settings file (docs/configuration.md, "Gateways"), the file
 * {@code meshfed gateway --role ROLE --config FILE} reads, and its bootstrap-token file (0600). The demo starts its
 * gateways in-JVM from these same files, so they are known to work for separate processes too
 * (docs/local-federation.md).
 */
final class GatewayFile {

  private GatewayFile() {
  }

  /** {@code <clusterDir>/<kind>-gateway.yaml}. */
  static Path settingsFile(Path clusterDir, GatewayKind kind) {
    return clusterDir.resolve(kind.fileName() + ".yaml");
  }

  /** {@code <clusterDir>/<kind>-gateway.token}: proves the gateway's identity to the CA for its first SVID. */
  static Path tokenFile(Path clusterDir, GatewayKind kind) {
    return clusterDir.resolve(kind.fileName() + ".token");
  }

  /** The gateway's own address: its listeners, health, metrics and admin all bind there. */
  static String host(DemoCluster cluster, GatewayKind kind) {
    return kind == GatewayKind.EASTWEST ? cluster.eastWestHost() : cluster.ingressHost();
  }

  /** Writes both files; the token file is created 0600 and never printed. Blocking. */
  static Path write(Path clusterDir, DemoCluster cluster, GatewayKind kind, String meshId, Path rootCert,
      String token) throws IOException {
    Path tokenFile = tokenFile(clusterDir, kind);
    Files.deleteIfExists(tokenFile);
    Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, token, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    String host = host(cluster, kind);
    String yaml = """
        # meshfed demo, cluster %1$s: `meshfed gateway --role %2$s --config` reads this file.
        name: %3$s
        namespace: %4$s
        clusterId: %1$s
        network: %5$s
        meshId: %6$s
        serviceAccount: %3$s
        trustDomain: %7$s
        labels: {istio: %8$s}
        locality: {region: %1$s, zone: %1$s-a}
        podIp: %9$s
        xds:
          address: %10$s:%11$d
          caCertFile: %12$s
          tokenFile: %13$s
        ports:
          bindHost: %9$s
          health: %14$d
          metrics: %15$d
          admin: %9$s:%16$d
        # Every xDS listener (0.0.0.0_<port>) binds this gateway's own address: both clusters' gateways share a host.
        listenerHost: %9$s
        drainTimeout: 2s
        """.formatted(cluster.name(), kind.role(), kind.workload(), IstioConfig.SYSTEM_NAMESPACE, cluster.network(),
        meshId, Demo.TRUST_DOMAIN, kind.istioLabel(), host, cluster.controlPlaneHost(), DemoCluster.XDS_TLS_PORT,
        rootCert, tokenFile, DemoCluster.GATEWAY_HEALTH_PORT, DemoCluster.GATEWAY_METRICS_PORT,
        DemoCluster.GATEWAY_ADMIN_PORT);
    Path file = settingsFile(clusterDir, kind);
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }
}
