package io.meshfed.gateway.eastwest.matcher;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Envoy's {@code type.matcher.v3.StringMatcher}: exact, prefix, suffix, contains or a whole-string regex, optionally
 * case-insensitive. Regexes match the whole value, as Envoy's RE2 {@code safe_regex} does.
 */
public final class StringMatch {

  /** The match kinds of {@code StringMatcher.match_pattern} the gateway supports. */
  public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX }

  private final Kind kind;
  private final String value;
  private final boolean ignoreCase;
  private final Pattern pattern;

  private StringMatch(Kind kind, String value, boolean ignoreCase) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.value = ignoreCase && kind != Kind.REGEX ? value.toLowerCase(Locale.ROOT) : value;
    this.ignoreCase = ignoreCase;
    this.pattern = kind == Kind.REGEX ? Pattern.compile(value) : null;
  }

  /** @throws java.util.regex.PatternSyntaxException for a regex that does not compile */
  public static StringMatch of(Kind kind, String value, boolean ignoreCase) {
    return new StringMatch(kind, Objects.requireNonNull(value, "value"), ignoreCase);
  }

  public static StringMatch exact(String value) {
    return of(Kind.EXACT, value, false);
  }

  public static StringMatch prefix(String value) {
    return of(Kind.PREFIX, value, false);
  }

  public Kind kind() {
    return kind;
  }

  public String value() {
    return value;
  }

  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    String subject = ignoreCase && kind != Kind.REGEX ? candidate.toLowerCase(Locale.ROOT) : candidate;
    return switch (kind) {
      case EXACT -> subject.equals(value);
      case PREFIX -> subject.startsWith(value);
      case SUFFIX -> subject.endsWith(value);
      case CONTAINS -> subject.contains(value);
      case REGEX -> pattern.matcher(subject).matches();
    };
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StringMatch that && kind == that.kind && value.equals(that.value)
        && ignoreCase == that.ignoreCase;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, value, ignoreCase);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + value + (ignoreCase ? " (ignore case)" : "");
  }
}
