package io.meshfed.gateway.l7.routing;

/**
 * One compiled route: match, action, header mutations and per-filter overrides.
 *
 * @param name the route's name (Istio sets the VirtualService route name), may be empty
 * @param match when it applies
 * @param action what it does
 * @param requestHeaders request mutations at route level
 * @param responseHeaders response mutations at route level
 * @param filters per-filter config at route level
 */
public record RouteSpec(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
                        HeaderMutations responseHeaders, FilterOverrides filters) {
}
