package io.meshfed.gateway.l7.routing;

import java.time.Duration;

/**
 * A compiled {@code envoy.filters.http.fault} {@code HTTPFault} (Istio's VirtualService {@code fault}).
 *
 * @param delay the fixed delay, null for none
 * @param delayFraction how many requests are delayed
 * @param abortHttpStatus the abort status, 0 for none
 * @param abortGrpcStatus the gRPC abort status, -1 for none
 * @param abortFraction how many requests are aborted
 */
public record FaultSpec(Duration delay, Fraction delayFraction, int abortHttpStatus, int abortGrpcStatus,
                        Fraction abortFraction) {

  /** True when this fault may abort requests. */
  public boolean aborts() {
    return abortHttpStatus > 0 || abortGrpcStatus >= 0;
  }
}
