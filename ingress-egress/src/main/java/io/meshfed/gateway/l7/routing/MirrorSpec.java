package io.meshfed.gateway.l7.routing;

/**
 * One of a route's Envoy {@code request_mirror_policies} (Istio's {@code mirror} / {@code mirrorPercentage}).
 *
 * @param cluster the cluster that receives the shadow copy
 * @param fraction how many requests are mirrored
 * @param appendShadowSuffix true unless {@code disable_shadow_host_suffix_append}
 */
public record MirrorSpec(String cluster, Fraction fraction, boolean appendShadowSuffix) {
}
