package io.meshfed.gateway.l7.config;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.meshfed.gateway.l7.routing.HeaderMatch;
import io.meshfed.gateway.l7.routing.QueryMatch;
import io.meshfed.gateway.l7.routing.StringMatch;
import io.meshfed.gateway.l7.security.Cidr;
import io.meshfed.gateway.l7.security.MetadataMatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Compiles Envoy's matcher messages (strings, regexes, headers, query parameters, metadata, CIDRs). */
final class MatcherCompiler {

  private MatcherCompiler() {
  }

  /** A {@code RegexMatcher} as a Java pattern (RE2's {@code (?P<name>} becomes {@code (?<name>}). */
  static Pattern regex(RegexMatcher matcher, String path, Problems problems) {
    Protos.allowOnly(matcher, path, problems, Set.of("regex", "google_re2"));
    return regex(matcher.getRegex(), path + ".regex", problems);
  }

  static Pattern regex(String source, String path, Problems problems) {
    try {
      return Pattern.compile(source.replace("(?P<", "(?<"));
    } catch (PatternSyntaxException e) {
      problems.error(path, "invalid regex " + source + ": " + e.getDescription() + " (expected: RE2 syntax)");
      return null;
    }
  }

  /** Envoy's regex substitution ({@code \1}) in Java's syntax ({@code $1}). */
  static String substitution(String envoy) {
    StringBuilder java = new StringBuilder();
    for (int i = 0; i < envoy.length(); i++) {
      char c = envoy.charAt(i);
      if (c == '\\' && i + 1 < envoy.length() && Character.isDigit(envoy.charAt(i + 1))) {
        java.append('$').append(envoy.charAt(++i));
      } else if (c == '$' || c == '\\') {
        java.append('\\').append(c);
      } else {
        java.append(c);
      }
    }
    return java.toString();
  }

  static StringMatch string(StringMatcher matcher, String path, Problems problems) {
    Protos.allowOnly(matcher, path, problems, Set.of("exact", "prefix", "suffix", "safe_regex", "contains",
        "ignore_case"));
    boolean ignoreCase = matcher.getIgnoreCase();
    return switch (matcher.getMatchPatternCase()) {
      case EXACT -> new StringMatch.Exact(matcher.getExact(), ignoreCase);
      case PREFIX -> new StringMatch.Prefix(matcher.getPrefix(), ignoreCase);
      case SUFFIX -> new StringMatch.Suffix(matcher.getSuffix(), ignoreCase);
      case CONTAINS -> new StringMatch.Contains(matcher.getContains(), ignoreCase);
      case SAFE_REGEX -> {
        Pattern pattern = regex(matcher.getSafeRegex(), path + ".safe_regex", problems);
        yield pattern == null ? null : new StringMatch.Regex(pattern);
      }
      default -> {
        problems.error(path, "no match pattern (expected: exact, prefix, suffix, contains or safe_regex)");
        yield null;
      }
    };
  }

  static HeaderMatch header(HeaderMatcher matcher, String path, Problems problems) {
    Protos.allowOnly(matcher, path, problems, Set.of("name", "exact_match", "safe_regex_match", "present_match",
        "prefix_match", "suffix_match", "contains_match", "string_match", "invert_match",
        "treat_missing_header_as_empty"));
    String name = matcher.getName().toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      problems.error(path + ".name", "empty header name (expected: a header name such as x-user or :method)");
    }
    StringMatch match = switch (matcher.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> new StringMatch.Exact(matcher.getExactMatch(), false);
      case PREFIX_MATCH -> new StringMatch.Prefix(matcher.getPrefixMatch(), false);
      case SUFFIX_MATCH -> new StringMatch.Suffix(matcher.getSuffixMatch(), false);
      case CONTAINS_MATCH -> new StringMatch.Contains(matcher.getContainsMatch(), false);
      case SAFE_REGEX_MATCH -> {
        Pattern pattern = regex(matcher.getSafeRegexMatch(), path + ".safe_regex_match", problems);
        yield pattern == null ? null : new StringMatch.Regex(pattern);
      }
      case STRING_MATCH -> string(matcher.getStringMatch(), path + ".string_match", problems);
      case PRESENT_MATCH -> null;
      case RANGE_MATCH -> {
        problems.unsupported(path + ".range_match", "header range_match");
        yield null;
      }
      // No specifier: Envoy treats the matcher as a presence check.
      case HEADERMATCHSPECIFIER_NOT_SET -> null;
    };
    boolean present = matcher.getHeaderMatchSpecifierCase() != HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH
        || matcher.getPresentMatch();
    return new HeaderMatch(name, match, present, matcher.getInvertMatch(), matcher.getTreatMissingHeaderAsEmpty());
  }

  static List<HeaderMatch> headers(List<HeaderMatcher> matchers, String path, Problems problems) {
    List<HeaderMatch> compiled = new ArrayList<>();
    for (int i = 0; i < matchers.size(); i++) {
      compiled.add(header(matchers.get(i), path + "[" + i + "]", problems));
    }
    return List.copyOf(compiled);
  }

  static List<QueryMatch> queries(List<QueryParameterMatcher> matchers, String path, Problems problems) {
    List<QueryMatch> compiled = new ArrayList<>();
    for (int i = 0; i < matchers.size(); i++) {
      QueryParameterMatcher matcher = matchers.get(i);
      String at = path + "[" + i + "]";
      Protos.allowOnly(matcher, at, problems, Set.of("name", "string_match", "present_match"));
      StringMatch match = matcher.hasStringMatch() ? string(matcher.getStringMatch(), at + ".string_match", problems)
          : null;
      compiled.add(new QueryMatch(matcher.getName(), match));
    }
    return List.copyOf(compiled);
  }

  static Cidr cidr(CidrRange range, String path, Problems problems) {
    try {
      byte[] address = InetAddress.getByName(range.getAddressPrefix()).getAddress();
      int length = range.hasPrefixLen() ? range.getPrefixLen().getValue() : address.length * 8;
      if (length < 0 || length > address.length * 8) {
        problems.error(path + ".prefix_len", length + " (expected: 0 to " + address.length * 8 + ")");
        return null;
      }
      return new Cidr(address, length);
    } catch (UnknownHostException | SecurityException e) {
      problems.error(path + ".address_prefix", range.getAddressPrefix() + " (expected: an IP address)");
      return null;
    }
  }

  static MetadataMatch metadata(MetadataMatcher matcher, String path, Problems problems) {
    Protos.allowOnly(matcher, path, problems, Set.of("filter", "path", "value", "invert"));
    List<String> keys = new ArrayList<>();
    for (MetadataMatcher.PathSegment segment : matcher.getPathList()) {
      keys.add(segment.getKey());
    }
    ValueMatcher value = matcher.getValue();
    String at = path + ".value";
    StringMatch match = null;
    boolean present = false;
    switch (value.getMatchPatternCase()) {
      case STRING_MATCH -> match = string(value.getStringMatch(), at + ".string_match", problems);
      case PRESENT_MATCH -> present = value.getPresentMatch();
      case LIST_MATCH -> {
        // Istio matches list-valued claims (audiences, groups) with list_match.one_of.string_match.
        ValueMatcher oneOf = value.getListMatch().getOneOf();
        if (oneOf.getMatchPatternCase() == ValueMatcher.MatchPatternCase.STRING_MATCH) {
          match = string(oneOf.getStringMatch(), at + ".list_match.one_of.string_match", problems);
        } else {
          problems.unsupported(at + ".list_match.one_of", "list matcher other than string_match");
        }
      }
      default -> problems.unsupported(at, "metadata value matcher " + value.getMatchPatternCase());
    }
    return new MetadataMatch(matcher.getFilter(), List.copyOf(keys), match, present, matcher.getInvert());
  }
}
