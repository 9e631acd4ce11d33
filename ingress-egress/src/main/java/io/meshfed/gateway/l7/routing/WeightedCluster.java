package io.meshfed.gateway.l7.routing;

/**
 * One target of a route (a single cluster is one entry of weight 1).
 *
 * @param name the cluster name ({@code outbound|9080|v1|reviews.default.svc.cluster.local})
 * @param weight its weight
 * @param requestHeaders mutations for requests sent to it
 * @param responseHeaders mutations for responses from it
 */
public record WeightedCluster(String name, int weight, HeaderMutations requestHeaders,
                              HeaderMutations responseHeaders) {
}
