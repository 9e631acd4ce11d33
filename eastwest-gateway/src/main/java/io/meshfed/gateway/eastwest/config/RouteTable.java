package io.meshfed.gateway.eastwest.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code RouteConfiguration}: virtual hosts chosen by the Host header as Envoy chooses them (exact domain, then the
 * longest {@code *.suffix} wildcard, then the longest {@code prefix.*} wildcard, then {@code *}), and within the
 * virtual host the first route whose path match accepts the request.
 */
public final class RouteTable {

  private final String name;
  private final List<VirtualHostConfig> virtualHosts;
  private final Map<String, VirtualHostConfig> exact = new HashMap<>();
  private final VirtualHostConfig catchAll;

  public RouteTable(String name, List<VirtualHostConfig> virtualHosts) {
    this.name = Objects.requireNonNull(name, "name");
    this.virtualHosts = List.copyOf(virtualHosts);
    VirtualHostConfig star = null;
    for (VirtualHostConfig host : this.virtualHosts) {
      for (String domain : host.domains()) {
        if (domain.equals("*")) {
          star = star == null ? host : star;
        } else if (!domain.startsWith("*") && !domain.endsWith("*")) {
          exact.putIfAbsent(domain.toLowerCase(Locale.ROOT), host);
        }
      }
    }
    this.catchAll = star;
  }

  public String name() {
    return name;
  }

  public List<VirtualHostConfig> virtualHosts() {
    return virtualHosts;
  }

  /** The virtual host for a Host / :authority value, or {@code null} (no route: NR). */
  public VirtualHostConfig virtualHost(String authority) {
    String host = authority == null ? "" : authority.toLowerCase(Locale.ROOT);
    VirtualHostConfig found = exact.get(host);
    if (found != null) {
      return found;
    }
    VirtualHostConfig best = null;
    int bestLength = -1;
    for (VirtualHostConfig candidate : virtualHosts) {
      for (String domain : candidate.domains()) {
        if (domain.length() > 1 && domain.startsWith("*") && host.endsWith(domain.substring(1).toLowerCase(Locale.ROOT))
            && host.length() > domain.length() - 1 && domain.length() > bestLength) {
          best = candidate;
          bestLength = domain.length();
        }
      }
    }
    if (best != null) {
      return best;
    }
    for (VirtualHostConfig candidate : virtualHosts) {
      for (String domain : candidate.domains()) {
        if (domain.length() > 1 && domain.endsWith("*")
            && host.startsWith(domain.substring(0, domain.length() - 1).toLowerCase(Locale.ROOT))
            && domain.length() > bestLength) {
          best = candidate;
          bestLength = domain.length();
        }
      }
    }
    return best != null ? best : catchAll;
  }

  /** The route for a request, or {@code null} when none matches. */
  public RouteConfig route(String authority, String path) {
    VirtualHostConfig host = virtualHost(authority);
    if (host == null) {
      return null;
    }
    for (RouteConfig route : host.routes()) {
      if (route.matches(path)) {
        return route;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "RouteTable{" + name + ", virtualHosts=" + virtualHosts.size() + "}";
  }
}
