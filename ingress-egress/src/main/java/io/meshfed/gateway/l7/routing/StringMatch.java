package io.meshfed.gateway.l7.routing;

import java.util.Locale;
import java.util.regex.Pattern;

/** A compiled Envoy {@code type.matcher.v3.StringMatcher}: exact, prefix, suffix, contains or a full regex match. */
public sealed interface StringMatch {

  /** True when {@code value} (never null) matches. */
  boolean matches(String value);

  /** {@code exact}. */
  record Exact(String value, boolean ignoreCase) implements StringMatch {
    @Override
    public boolean matches(String candidate) {
      return ignoreCase ? value.equalsIgnoreCase(candidate) : value.equals(candidate);
    }
  }

  /** {@code prefix}. */
  record Prefix(String value, boolean ignoreCase) implements StringMatch {
    @Override
    public boolean matches(String candidate) {
      return candidate.regionMatches(ignoreCase, 0, value, 0, value.length());
    }
  }

  /** {@code suffix}. */
  record Suffix(String value, boolean ignoreCase) implements StringMatch {
    @Override
    public boolean matches(String candidate) {
      int offset = candidate.length() - value.length();
      return offset >= 0 && candidate.regionMatches(ignoreCase, offset, value, 0, value.length());
    }
  }

  /** {@code contains}. */
  record Contains(String value, boolean ignoreCase) implements StringMatch {
    @Override
    public boolean matches(String candidate) {
      return ignoreCase
          ? candidate.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT))
          : candidate.contains(value);
    }
  }

  /** {@code safe_regex}: Envoy matches the whole value, not a substring. */
  record Regex(Pattern pattern) implements StringMatch {
    @Override
    public boolean matches(String candidate) {
      return pattern.matcher(candidate).matches();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Regex regex && regex.pattern.pattern().equals(pattern.pattern())
          && regex.pattern.flags() == pattern.flags();
    }

    @Override
    public int hashCode() {
      return pattern.pattern().hashCode();
    }
  }
}
