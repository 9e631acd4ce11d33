package io.meshfed.control.client.metrics;

/**
 * Istio's {@code reporter} label: {@code source} for a client-side proxy or a gateway forwarding to a service,
 * {@code destination} for the proxy in front of the workload that serves the request.
 */
public enum Reporter {
  SOURCE("source"),
  DESTINATION("destination");

  private final String label;

  Reporter(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
