package io.meshfed.gateway.eastwest.config;

import java.time.Duration;

/**
 * {@code Cluster.outlier_detection}, consecutive-error kinds: a host is ejected after {@code consecutive5xx}
 * consecutive failures (connect failures count, as Envoy counts locally originated errors when they are not split),
 * or {@code consecutiveGatewayFailure} consecutive 502/503/504/connect failures, for {@code baseEjectionTime} times
 * the number of times it was ejected (capped by {@code maxEjectionTime}); at most {@code maxEjectionPercent} of the
 * cluster's hosts are ejected at once, but always at least one.
 */
public record OutlierConfig(int consecutive5xx, int enforcing5xx, int consecutiveGatewayFailure,
    int enforcingGatewayFailure, Duration interval, Duration baseEjectionTime, Duration maxEjectionTime,
    int maxEjectionPercent) {
}
