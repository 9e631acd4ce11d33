package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.routing.RetrySpec;
import io.meshfed.gateway.l7.routing.RetrySpec.RetryOn;
import io.meshfed.gateway.l7.upstream.UpstreamFailure;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which outcomes a route's retry policy retries (Envoy router filter, "x-envoy-retry-on" and
 * "x-envoy-retry-grpc-on"), and the back-off between attempts.
 */
final class RetryDecision {

  private RetryDecision() {
  }

  /** True when the response status (or its gRPC status) is retriable under {@code spec}. */
  static boolean retriable(RetrySpec spec, int status, HttpHeaders headers) {
    Set<RetryOn> on = spec.retryOn();
    if (status >= 500 && on.contains(RetryOn.FIVE_XX)) {
      return true;
    }
    if ((status == 502 || status == 503 || status == 504) && on.contains(RetryOn.GATEWAY_ERROR)) {
      return true;
    }
    if (status == 409 && on.contains(RetryOn.RETRIABLE_4XX)) {
      return true;
    }
    if (on.contains(RetryOn.RETRIABLE_STATUS_CODES) && spec.retriableStatusCodes().contains(status)) {
      return true;
    }
    if (status == 429 && on.contains(RetryOn.ENVOY_RATELIMITED) && headers.contains("x-envoy-ratelimited")) {
      return true;
    }
    String grpc = headers.get("grpc-status");
    if (grpc != null) {
      switch (grpc) {
        case "1":
          return on.contains(RetryOn.CANCELLED);
        case "4":
          return on.contains(RetryOn.DEADLINE_EXCEEDED);
        case "8":
          return on.contains(RetryOn.RESOURCE_EXHAUSTED);
        case "13":
          return on.contains(RetryOn.INTERNAL);
        case "14":
          return on.contains(RetryOn.UNAVAILABLE);
        default:
          return false;
      }
    }
    return false;
  }

  /** True when a failure without a response is retriable; {@code perTryTimeout} for a timed-out attempt. */
  static boolean retriable(RetrySpec spec, UpstreamFailure.Kind failure, boolean perTryTimeout) {
    Set<RetryOn> on = spec.retryOn();
    boolean anyNoResponse = on.contains(RetryOn.FIVE_XX) || on.contains(RetryOn.GATEWAY_ERROR)
        || on.contains(RetryOn.RESET);
    if (perTryTimeout) {
      return anyNoResponse;
    }
    return switch (failure) {
      // Overflow is never retried: retrying would add load to a cluster that is already full.
      case OVERFLOW -> false;
      case CONNECT_FAILURE -> anyNoResponse || on.contains(RetryOn.CONNECT_FAILURE);
      case REFUSED_STREAM -> anyNoResponse || on.contains(RetryOn.REFUSED_STREAM);
      default -> anyNoResponse;
    };
  }

  /**
   * Envoy's fully jittered exponential back-off: before retry {@code n} (1-based) wait a uniformly random time in
   * {@code [0, min(base × (2^n − 1), max))}.
   */
  static long backoffMillis(RetrySpec spec, int retry) {
    long multiplier = (1L << Math.min(retry, 20)) - 1;
    long upper = Math.min(spec.baseIntervalMillis() * multiplier, spec.maxIntervalMillis());
    return upper <= 0 ? 0 : ThreadLocalRandom.current().nextLong(upper);
  }
}
