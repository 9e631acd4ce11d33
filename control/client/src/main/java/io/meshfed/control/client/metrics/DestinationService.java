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
   * The destination a host names: a Kubernetes service host ({@code <name>.<namespace>.svc[.<domain>]}) gives its
   * name and namespace; any other host (a ServiceEntry's {@code api.example.com}) is its own name, namespace
   * unknown.
   */
  public static DestinationService ofHost(String host) {
    Objects.requireNonNull(host, "host");
    String[] labels = host.split("\\.");
    if (labels.length >= 3 && labels[2].equals("svc")) {
      return new DestinationService(host, labels[0], labels[1]);
    }
    return new DestinationService(host, host, Workload.UNKNOWN_VALUE);
  }
}
