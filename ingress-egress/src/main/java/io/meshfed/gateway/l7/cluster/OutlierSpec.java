package io.meshfed.gateway.l7.cluster;

import java.time.Duration;

/**
 * A compiled {@code outlier_detection} (Istio's DestinationRule {@code outlierDetection}).
 *
 * @param consecutive5xx errors in a row that eject a host (default 5)
 * @param consecutiveGatewayFailure 502/503/504 and local failures in a row (default 5)
 * @param enforcing5xx percent chance an ejection by {@code consecutive5xx} is enforced (default 100)
 * @param enforcingGatewayFailure the same for gateway failures (default 0, as in Envoy)
 * @param interval sweep interval that returns hosts (default 10 s)
 * @param baseEjectionTime ejection time, multiplied by the times ejected (default 30 s)
 * @param maxEjectionTime cap on the ejection time (default 300 s)
 * @param maxEjectionPercent at most this share of hosts ejected at once, at least one (default 10)
 */
public record OutlierSpec(int consecutive5xx, int consecutiveGatewayFailure, int enforcing5xx,
                          int enforcingGatewayFailure, Duration interval, Duration baseEjectionTime,
                          Duration maxEjectionTime, int maxEjectionPercent) {
}
