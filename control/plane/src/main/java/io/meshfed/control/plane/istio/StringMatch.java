package io.meshfed.control.plane.istio;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Istio's {@code StringMatch}: exactly one of {@code exact}, {@code prefix} or {@code regex} (RE2 syntax, matched
 * against the whole value, as Envoy's {@code safe_regex} does).
 */
public record StringMatch(Kind kind, String value) {

  /** {@code PRESENT} is an empty match ({@code x-user: {}}) on a header or query parameter: it must be present. */
  public enum Kind { EXACT, PREFIX, REGEX, PRESENT }

  public StringMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  /** Whether {@code text} matches. Java regex stands in for RE2 here; the syntax both accept behaves the same. */
  public boolean matches(String text) {
    return switch (kind) {
      case EXACT -> text.equals(value);
      case PREFIX -> text.startsWith(value);
      case REGEX -> Pattern.compile(value).matcher(text).matches();
      case PRESENT -> true;
    };
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + value;
  }
}
