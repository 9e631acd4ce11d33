package io.meshfed.control.client.metrics;

/** Istio's {@code request_protocol} label for request metrics: {@code http} (any HTTP version) or {@code grpc}. */
public enum RequestProtocol {
  HTTP("http"),
  GRPC("grpc");

  private final String label;

  RequestProtocol(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
