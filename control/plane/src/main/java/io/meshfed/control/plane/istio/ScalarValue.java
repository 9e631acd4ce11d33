package io.meshfed.control.plane.istio;

import java.util.Optional;

/**
 * A scalar: {@link String}, {@link Long}, {@link Double}, {@link Boolean} or {@code null} (YAML 1.2 core schema
 * types, as Kubernetes' JSON would carry them). A quoted {@code "80"} stays a string.
 */
public record ScalarValue(Object value, Optional<Position> position) implements Value {

  public ScalarValue {
    if (value != null && !(value instanceof String || value instanceof Long || value instanceof Double
        || value instanceof Boolean)) {
      throw new IllegalArgumentException("scalar: " + value.getClass().getName()
          + " (expected: String, Long, Double, Boolean or null)");
    }
  }

  public String text() {
    return value == null ? "null" : value.toString();
  }

  @Override
  public String describe() {
    return value instanceof String s ? "\"" + s + "\"" : text();
  }
}
