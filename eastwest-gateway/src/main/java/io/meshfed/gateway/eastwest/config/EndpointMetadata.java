package io.meshfed.gateway.eastwest.config;

/**
 * Istio's endpoint metadata ({@code filter_metadata.istio}): the workload ({@code <name>;<ns>;<app>;<version>;<cluster>})
 * and the cluster and network it runs in, which become the {@code destination_*} labels of Istio's metrics.
 */
public record EndpointMetadata(String workload, String namespace, String app, String version, String cluster,
    String network) {

  public static final EndpointMetadata NONE = new EndpointMetadata("", "", "", "", "", "");

  /** Reads Istio's {@code workload} string; missing parts stay empty. */
  public static EndpointMetadata parse(String workloadField, String cluster, String network) {
    String[] parts = workloadField == null ? new String[0] : workloadField.split(";", -1);
    String clusterId = cluster == null || cluster.isEmpty() ? part(parts, 4) : cluster;
    return new EndpointMetadata(part(parts, 0), part(parts, 1), part(parts, 2), part(parts, 3), clusterId,
        network == null ? "" : network);
  }

  private static String part(String[] parts, int index) {
    return index < parts.length ? parts[index] : "";
  }
}
