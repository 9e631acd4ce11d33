package io.meshfed.gateway.l7.routing;

import java.util.List;

/**
 * A compiled Envoy {@code RouteConfiguration}: virtual hosts indexed by domain plus the global header mutations.
 *
 * @param name the route configuration's name ({@code http.8080})
 * @param virtualHosts in configuration order
 * @param index the domain index over {@code virtualHosts}
 * @param requestHeaders request mutations at route-configuration level
 * @param responseHeaders response mutations at route-configuration level
 */
public record RouteTable(String name, List<VirtualHostSpec> virtualHosts, VirtualHostIndex index,
                         HeaderMutations requestHeaders, HeaderMutations responseHeaders) {

  /** Builds the table and its index. */
  public static RouteTable of(String name, List<VirtualHostSpec> virtualHosts, HeaderMutations requestHeaders,
                              HeaderMutations responseHeaders) {
    return new RouteTable(name, List.copyOf(virtualHosts), new VirtualHostIndex(virtualHosts), requestHeaders,
        responseHeaders);
  }

  @Override
  public String toString() {
    return "RouteTable[" + name + ", " + virtualHosts.size() + " virtual hosts]";
  }
}
