package io.meshfed.control.plane.istio;

/** How bad a {@link Message} is; ordered from least to most severe. */
public enum Severity {
  INFO("Info"),
  WARNING("Warning"),
  ERROR("Error");

  private final String label;

  Severity(String label) {
    this.label = label;
  }

  /** The word istioctl uses: {@code Info}, {@code Warning}, {@code Error}. */
  public String label() {
    return label;
  }

  public boolean atLeast(Severity threshold) {
    return compareTo(threshold) >= 0;
  }

  /** Parses {@code error}, {@code Warning}, {@code INFO} (any case). */
  public static Severity parse(String text) {
    for (Severity severity : values()) {
      if (severity.label.equalsIgnoreCase(text)) {
        return severity;
      }
    }
    throw new IllegalArgumentException("severity: " + text + " (expected: Info, Warning or Error)");
  }
}
