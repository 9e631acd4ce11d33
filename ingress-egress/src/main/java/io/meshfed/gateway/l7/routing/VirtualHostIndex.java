package io.meshfed.gateway.l7.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the virtual host for an authority the way Envoy does (route_components.proto, {@code VirtualHost.domains}):
 * exact domains first, then the longest suffix wildcard ({@code *.foo.com}), then the longest prefix wildcard
 * ({@code foo.*}), then {@code *}. A wildcard never matches the empty string. When nothing matches the authority
 * with its port, the port is stripped and the lookup repeated (Istio lists both forms; clients do not always).
 */
public final class VirtualHostIndex {

  private final Map<String, VirtualHostSpec> exact = new HashMap<>();
  private final List<Wildcard> suffixes = new ArrayList<>();
  private final List<Wildcard> prefixes = new ArrayList<>();
  private VirtualHostSpec catchAll;

  private record Wildcard(String fixed, VirtualHostSpec host) {
  }

  /** Builds the index; {@code hosts} must have unique domains (the compiler checks). */
  public VirtualHostIndex(List<VirtualHostSpec> hosts) {
    for (VirtualHostSpec host : hosts) {
      for (String domain : host.domains()) {
        if (domain.equals("*")) {
          catchAll = host;
        } else if (domain.startsWith("*")) {
          suffixes.add(new Wildcard(domain.substring(1), host));
        } else if (domain.endsWith("*")) {
          prefixes.add(new Wildcard(domain.substring(0, domain.length() - 1), host));
        } else {
          exact.put(domain, host);
        }
      }
    }
    Comparator<Wildcard> longestFirst = Comparator.comparingInt((Wildcard w) -> w.fixed.length()).reversed();
    suffixes.sort(longestFirst);
    prefixes.sort(longestFirst);
  }

  /** The virtual host for {@code authority}, or null when none matches. */
  public VirtualHostSpec find(String authority) {
    if (authority == null) {
      return catchAll;
    }
    String host = authority.toLowerCase(Locale.ROOT);
    VirtualHostSpec found = lookup(host);
    if (found == null) {
      int colon = host.lastIndexOf(':');
      if (colon > 0 && host.indexOf(']', colon) < 0) {
        found = lookup(host.substring(0, colon));
      }
    }
    return found != null ? found : catchAll;
  }

  private VirtualHostSpec lookup(String host) {
    VirtualHostSpec found = exact.get(host);
    if (found != null) {
      return found;
    }
    for (Wildcard wildcard : suffixes) {
      if (host.length() > wildcard.fixed.length() && host.endsWith(wildcard.fixed)) {
        return wildcard.host;
      }
    }
    for (Wildcard wildcard : prefixes) {
      if (host.length() > wildcard.fixed.length() && host.startsWith(wildcard.fixed)) {
        return wildcard.host;
      }
    }
    return null;
  }
}
