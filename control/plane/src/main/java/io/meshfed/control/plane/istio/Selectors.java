package io.meshfed.control.plane.istio;

import java.util.Map;

/** Kubernetes equality-based label selection, as Istio's {@code matchLabels} use it. */
public final class Selectors {

  private Selectors() {
  }

  /** Whether {@code labels} include every entry of {@code selector}; an empty selector selects everything. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (Map.Entry<String, String> entry : selector.entrySet()) {
      if (!entry.getValue().equals(labels.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
