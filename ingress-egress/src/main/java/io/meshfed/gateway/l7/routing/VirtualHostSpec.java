package io.meshfed.gateway.l7.routing;

import java.util.List;

/**
 * One compiled virtual host.
 *
 * @param name its name ({@code block_all} marks the egress REGISTRY_ONLY catch-all)
 * @param domains lower-case domains as configured
 * @param routes in order; the first match wins
 * @param requireTls Envoy's {@code require_tls}
 * @param requestHeaders request mutations at virtual-host level
 * @param responseHeaders response mutations at virtual-host level
 * @param filters per-filter config at virtual-host level
 */
public record VirtualHostSpec(String name, List<String> domains, List<RouteSpec> routes, TlsRequirement requireTls,
                              HeaderMutations requestHeaders, HeaderMutations responseHeaders,
                              FilterOverrides filters) {

  /** The name Istio gives the egress REGISTRY_ONLY catch-all; its direct responses carry flag {@code NR}. */
  public static final String BLOCK_ALL = "block_all";

  /** Envoy's {@code VirtualHost.TlsRequirementType}. */
  public enum TlsRequirement { NONE, EXTERNAL_ONLY, ALL }

  /** The first route that matches, or null. */
  public RouteSpec route(RequestView request) {
    for (RouteSpec route : routes) {
      if (route.match().matches(request)) {
        return route;
      }
    }
    return null;
  }
}
