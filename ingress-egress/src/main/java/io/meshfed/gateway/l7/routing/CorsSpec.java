package io.meshfed.gateway.l7.routing;

import java.util.List;

/**
 * A compiled {@code envoy.filters.http.cors} {@code CorsPolicy} (Istio's VirtualService {@code corsPolicy}).
 *
 * @param allowOrigins origins allowed (echoed in {@code access-control-allow-origin})
 * @param allowMethods {@code access-control-allow-methods}, empty for none
 * @param allowHeaders {@code access-control-allow-headers}, empty for none
 * @param exposeHeaders {@code access-control-expose-headers}, empty for none
 * @param maxAge {@code access-control-max-age}, empty for none
 * @param allowCredentials {@code access-control-allow-credentials: true}
 * @param enabled Envoy's {@code filter_enabled} fraction (default 100%)
 * @param forwardNotMatchingPreflights Envoy's {@code forward_not_matching_preflights} (default true)
 * @param allowPrivateNetworkAccess Envoy's {@code allow_private_network_access}
 */
public record CorsSpec(List<StringMatch> allowOrigins, String allowMethods, String allowHeaders,
                       String exposeHeaders, String maxAge, boolean allowCredentials, Fraction enabled,
                       boolean forwardNotMatchingPreflights, boolean allowPrivateNetworkAccess) {

  /** True when {@code origin} is allowed. */
  public boolean allows(String origin) {
    for (StringMatch match : allowOrigins) {
      if (match.matches(origin)) {
        return true;
      }
    }
    return false;
  }
}
