package io.meshfed.gateway.l7.routing;

import java.time.Duration;
import java.util.Set;

/**
 * A compiled Envoy {@code RetryPolicy}.
 *
 * @param retryOn the conditions (Envoy's {@code retry_on} vocabulary)
 * @param retriableStatusCodes for {@link RetryOn#RETRIABLE_STATUS_CODES}
 * @param numRetries retries after the first attempt (Envoy's default 1)
 * @param perTryTimeout each attempt's timeout, null for none (then the route timeout bounds it)
 * @param baseIntervalMillis back-off base (default 25 ms)
 * @param maxIntervalMillis back-off cap (default 10 × base)
 */
public record RetrySpec(Set<RetryOn> retryOn, Set<Integer> retriableStatusCodes, int numRetries,
                        Duration perTryTimeout, long baseIntervalMillis, long maxIntervalMillis) {

  /** Envoy's {@code x-envoy-retry-on} / {@code retry_on} values (router filter docs, "x-envoy-retry-on"). */
  public enum RetryOn {
    /** Any 5xx, or no response at all (reset, connect failure, per-try timeout). */
    FIVE_XX("5xx"),
    /** 502, 503, 504, or no response at all. */
    GATEWAY_ERROR("gateway-error"),
    /** Disconnect, reset or per-try timeout before response headers. */
    RESET("reset"),
    /** Connection to the upstream failed (or timed out). */
    CONNECT_FAILURE("connect-failure"),
    /** 409. */
    RETRIABLE_4XX("retriable-4xx"),
    /** HTTP/2 {@code REFUSED_STREAM}. */
    REFUSED_STREAM("refused-stream"),
    /** Any status in {@code retriable_status_codes}. */
    RETRIABLE_STATUS_CODES("retriable-status-codes"),
    /** gRPC status CANCELLED (1) in the response headers. */
    CANCELLED("cancelled"),
    /** gRPC status DEADLINE_EXCEEDED (4). */
    DEADLINE_EXCEEDED("deadline-exceeded"),
    /** gRPC status INTERNAL (13). */
    INTERNAL("internal"),
    /** gRPC status RESOURCE_EXHAUSTED (8). */
    RESOURCE_EXHAUSTED("resource-exhausted"),
    /** gRPC status UNAVAILABLE (14). */
    UNAVAILABLE("unavailable"),
    /** 429 from the upstream carrying {@code x-envoy-ratelimited}. */
    ENVOY_RATELIMITED("envoy-ratelimited");

    private final String wire;

    RetryOn(String wire) {
      this.wire = wire;
    }

    /** The token as Envoy spells it. */
    public String wire() {
      return wire;
    }

    /** The condition for a token, or null when unknown. */
    public static RetryOn parse(String token) {
      for (RetryOn value : values()) {
        if (value.wire.equals(token)) {
          return value;
        }
      }
      return null;
    }
  }
}
