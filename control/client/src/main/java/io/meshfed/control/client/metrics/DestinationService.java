package io.meshfed.control.client.metrics;

import java.util.Objects;

/**
 * Istio's {@code destination_service}, {@code destination_service_name} and {@code destination_service_namespace}
 * labels.
 *
 * @param host the service's host ({@code reviews.default.svc.cluster.local})
 * @param name its short name ({@code reviews})
 * @param namespace its namespace ({@code default})
 */
public record DestinationService(String host, String name, String namespace) {

  /** A destination nothing is known about. */
  public static final DestinationService UNKNOWN =
      new DestinationService(Workload.UNKNOWN_VALUE, Workload.UNKNOWN_VALUE, Workload.UNKNOWN_VALUE);

  public DestinationService {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
  }

  /**
   * The destination an Envoy cluster name stands for, as Istio's stats take it from the cluster: Istio's
   * {@code outbound|9080|v1|reviews.default.svc.cluster.local} / {@code inbound|9080||reviews...} names and the SNI-named
   * clusters of the east-west gateway ({@code outbound_.9080_._.reviews.default.svc.cluster.local}) give their host;
   * any other non-empty name is taken as the host; an empty name (nothing routed) is {@link #UNKNOWN}.
   */
  public static DestinationService ofCluster(String clusterName) {
    if (clusterName == null || clusterName.isEmpty()) {
      return UNKNOWN;
    }
    int bar = clusterName.lastIndexOf('|');
    if (bar >= 0) {
      return ofHost(clusterName.substring(bar + 1));
    }
    if (clusterName.startsWith("outbound_.") || clusterName.startsWith("inbound_.")) {
      // outbound_.<port>_.<subset>_.<fqdn>: the fqdn follows the last "_." (Istio's compatible SNI).
      int separator = clusterName.lastIndexOf("_.");
      return ofHost(clusterName.substring(separator + 2));
    }
    return ofHost(clusterName);
  }

  /**
   * The destination a host names: a Kubernetes service host ({@code <name>.<namespace>.svc[.<domain>]}) gives its
   * name and namespace; any other host (a ServiceEntry's {@code api.example.com}) is its own name, namespace
   * unknown.
   */
  public static DestinationService ofHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      // Istio's inbound clusters (inbound|8080||) name no host.
      return UNKNOWN;
    }
    String[] labels = host.split("\\.");
    if (labels.length >= 3 && labels[2].equals("svc")) {
      return new DestinationService(host, labels[0], labels[1]);
    }
    return new DestinationService(host, host, Workload.UNKNOWN_VALUE);
  }
}
