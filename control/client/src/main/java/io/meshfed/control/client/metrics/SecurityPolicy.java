package io.meshfed.control.client.metrics;

/**
 * Istio's {@code connection_security_policy} label: {@code mutual_tls} when the reporting proxy terminated Istio
 * mTLS, {@code none} when it received plaintext, {@code unknown} when a source reporter cannot tell.
 */
public enum SecurityPolicy {
  MUTUAL_TLS("mutual_tls"),
  NONE("none"),
  UNKNOWN("unknown");

  private final String label;

  SecurityPolicy(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
