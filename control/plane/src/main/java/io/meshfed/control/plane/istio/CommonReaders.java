package io.meshfed.control.plane.istio;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Readers for the messages several kinds share: StringMatch, Destination, Headers, selectors, exportTo. */
final class CommonReaders {

  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern WILDCARD_DOMAIN =
      Pattern.compile("(\\*|\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?)*\\.?|\\*");
  private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:.]*");

  private CommonReaders() {
  }

  /** Exactly one of exact, prefix, regex; {@code allowPresence}: an empty match tests presence. */
  static StringMatch stringMatch(FieldReader r, boolean allowPresence) {
    List<StringMatch> found = new ArrayList<>();
    r.string("exact").ifPresent(v -> found.add(new StringMatch(StringMatch.Kind.EXACT, v)));
    r.string("prefix").ifPresent(v -> found.add(new StringMatch(StringMatch.Kind.PREFIX, v)));
    r.string("regex").ifPresent(v -> {
      if (regex(r, "regex", v)) {
        found.add(new StringMatch(StringMatch.Kind.REGEX, v));
      }
    });
    if (found.size() > 1) {
      r.invalidHere("sets " + found.size() + " of exact, prefix, regex (expected: exactly one)", "keep one of them");
    }
    if (found.isEmpty()) {
      if (allowPresence && !r.has("exact") && !r.has("prefix") && !r.has("regex")) {
        return new StringMatch(StringMatch.Kind.PRESENT, "");
      }
      if (!r.has("exact") && !r.has("prefix") && !r.has("regex")) {
        r.invalidHere("empty match (expected: one of exact, prefix, regex)", "add exact, prefix or regex");
      }
      return null;
    }
    return found.get(0);
  }

  static boolean regex(FieldReader r, String field, String regex) {
    try {
      Pattern.compile(regex);
      return true;
    } catch (PatternSyntaxException e) {
      r.problems().add(MessageType.INVALID_VALUE, r.path(field), r.position(),
          "\"" + regex + "\" (expected: an RE2 regular expression: " + e.getDescription() + ")",
          "fix the regular expression (Istio uses RE2 syntax)");
      return false;
    }
  }

  static Destination destination(FieldReader r, ReadContext context) {
    String host = r.requiredString("host");
    if (host.equals("*")) {
      r.invalid("host", new ScalarValue(host, r.position()), "a service host, not *", "name one host");
    } else if (!host.isEmpty()) {
      host(r, "host", host);
    }
    Optional<String> subset = r.string("subset");
    subset.ifPresent(name -> dnsLabel(r, "subset", name));
    Optional<Integer> port = r.object("port", p -> p.port("number").orElse(null));
    return new Destination(host, context.fqdn(host), subset, port);
  }

  static void host(FieldReader r, String field, String host) {
    if (!WILDCARD_DOMAIN.matcher(host).matches() && !IP.matcher(host).matches()) {
      r.invalid(field, new ScalarValue(host, r.position()), "a DNS name, optionally starting with *.",
          "use a host such as reviews or reviews.default.svc.cluster.local");
    }
  }

  static boolean dnsLabel(FieldReader r, String field, String value) {
    if (!DNS_LABEL.matcher(value).matches() || value.length() > 63) {
      r.invalid(field, new ScalarValue(value, r.position()), "a DNS-1123 label: lowercase letters, digits and -",
          "rename to e.g. " + value.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
      return false;
    }
    return true;
  }

  static Headers headers(FieldReader r) {
    Headers.Operations request = r.object("request", o -> operations(o, true)).orElse(Headers.Operations.NONE);
    Headers.Operations response = r.object("response", o -> operations(o, false)).orElse(Headers.Operations.NONE);
    return new Headers(request, response);
  }

  private static Headers.Operations operations(FieldReader r, boolean request) {
    Map<String, String> set = r.stringMap("set");
    Map<String, String> add = r.stringMap("add");
    List<String> remove = r.stringList("remove");
    for (String name : set.keySet()) {
      headerName(r, "set", name, request);
    }
    for (String name : add.keySet()) {
      headerName(r, "add", name, request);
    }
    for (String name : remove) {
      headerName(r, "remove", name, false);
    }
    return new Headers.Operations(set, add, remove);
  }

  private static void headerName(FieldReader r, String field, String name, boolean authorityAllowed) {
    boolean authority = name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
    if (name.isEmpty() || (name.startsWith(":") || name.equalsIgnoreCase("host")) && !(authorityAllowed && authority)) {
      r.problems().add(MessageType.INVALID_VALUE, r.path(field) + "." + name, r.position(),
          "\"" + name + "\" (expected: a header name; pseudo-headers and Host cannot be changed here)",
          authority ? "use rewrite.authority to change the authority" : "remove " + name);
    }
  }

  /** {@code selector: {matchLabels: {...}}}; empty when absent. */
  static Map<String, String> selector(FieldReader r) {
    return r.object("selector", s -> {
      Map<String, String> labels = s.stringMap("matchLabels");
      if (labels.isEmpty()) {
        s.warnHere("matchLabels", "workload selector without labels selects every workload of the namespace",
            "add labels, or remove the selector to make the policy namespace-wide on purpose");
      }
      labels.forEach((key, value) -> {
        if (key.isEmpty() || key.contains("*") || value.contains("*")) {
          s.problems().add(MessageType.INVALID_VALUE, s.path("matchLabels") + "." + key, s.position(),
              "\"" + key + "=" + value + "\" (expected: a label without wildcards)", "use exact label values");
        }
      });
      return labels;
    }).orElse(Map.of());
  }

  /** Istio's exportTo: {@code .}, {@code *}, namespace names ({@code ~} too for ServiceEntry), one of . and *. */
  static List<String> exportTo(FieldReader r, boolean allowNone) {
    List<String> exportTo = r.stringList("exportTo");
    Set<String> seen = new HashSet<>();
    for (String entry : exportTo) {
      boolean valid = entry.equals(".") || entry.equals("*") || allowNone && entry.equals("~")
          || DNS_LABEL.matcher(entry).matches();
      if (!valid) {
        r.invalid("exportTo", new ScalarValue(entry, r.position()),
            "\".\", \"*\"" + (allowNone ? ", \"~\"" : "") + " or a namespace name", "fix the entry");
      }
      if (!seen.add(entry)) {
        r.invalid("exportTo", new ScalarValue(entry, r.position()), "each entry once", "remove the duplicate");
      }
    }
    if ((seen.contains("*") || seen.contains("~")) && exportTo.size() > 1) {
      r.invalidHere("exportTo " + exportTo + " (expected: \"*\" or \"~\" alone)", "keep only \"*\" (or \"~\")");
    }
    return exportTo;
  }

  /** {@code value} of Istio's Percent, 0 or 0.0001..100. */
  static double percent(FieldReader r) {
    double value = r.number("value", 0, 100).orElse(0.0);
    if (value > 0 && value < 0.0001) {
      r.invalid("value", new ScalarValue(value, r.position()), "0 or 0.0001..100", "raise the percentage");
    }
    return value;
  }
}
