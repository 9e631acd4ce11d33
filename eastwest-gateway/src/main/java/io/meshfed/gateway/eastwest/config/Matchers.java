package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** Translates Envoy's {@code StringMatcher}. */
final class Matchers {

  private Matchers() {
  }

  static StringMatch string(StringMatcher matcher, Scope scope) {
    scope.allowOnly(matcher, Set.of("exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"));
    boolean ignoreCase = matcher.getIgnoreCase();
    try {
      return switch (matcher.getMatchPatternCase()) {
        case EXACT -> StringMatch.of(StringMatch.Kind.EXACT, matcher.getExact(), ignoreCase);
        case PREFIX -> StringMatch.of(StringMatch.Kind.PREFIX, matcher.getPrefix(), ignoreCase);
        case SUFFIX -> StringMatch.of(StringMatch.Kind.SUFFIX, matcher.getSuffix(), ignoreCase);
        case CONTAINS -> StringMatch.of(StringMatch.Kind.CONTAINS, matcher.getContains(), ignoreCase);
        case SAFE_REGEX -> {
          if (ignoreCase) {
            scope.field("ignore_case").error("true with safe_regex (expected: false; Envoy rejects it too)");
          }
          yield StringMatch.of(StringMatch.Kind.REGEX, matcher.getSafeRegex().getRegex(), false);
        }
        default -> {
          scope.error("no match pattern (expected: exact, prefix, suffix, contains or safe_regex)");
          yield null;
        }
      };
    } catch (PatternSyntaxException e) {
      scope.field("safe_regex.regex").error(matcher.getSafeRegex().getRegex() + " (expected: a valid regex: "
          + e.getDescription() + ")");
      return null;
    }
  }
}
