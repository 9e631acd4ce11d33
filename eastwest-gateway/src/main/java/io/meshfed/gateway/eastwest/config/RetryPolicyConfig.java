package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.Set;

/**
 * The part of Envoy's {@code RetryPolicy} the forwarder honours: how many retries, and on which conditions
 * ({@code connect-failure}, {@code refused-stream}, {@code reset}, {@code 5xx}, {@code gateway-error},
 * {@code retriable-status-codes}). Retries always avoid hosts already tried (Istio sets the {@code previous_hosts}
 * predicate on every route).
 */
public record RetryPolicyConfig(int numRetries, Set<String> retryOn, Set<Integer> retriableStatusCodes,
    Duration perTryTimeout) {

  public static final RetryPolicyConfig NONE = new RetryPolicyConfig(0, Set.of(), Set.of(), Duration.ZERO);

  public RetryPolicyConfig {
    retryOn = Set.copyOf(retryOn);
    retriableStatusCodes = Set.copyOf(retriableStatusCodes);
  }

  public boolean retriesConnectFailure() {
    return numRetries > 0 && (retryOn.contains("connect-failure") || retryOn.contains("reset")
        || retryOn.contains("5xx") || retryOn.contains("gateway-error"));
  }

  public boolean retriesStatus(int status) {
    if (numRetries == 0) {
      return false;
    }
    return (retryOn.contains("5xx") && status >= 500)
        || (retryOn.contains("gateway-error") && (status == 502 || status == 503 || status == 504))
        || (retryOn.contains("retriable-status-codes") && retriableStatusCodes.contains(status));
  }
}
