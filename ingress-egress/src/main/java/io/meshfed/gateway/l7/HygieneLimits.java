package io.meshfed.gateway.l7;

import java.time.Duration;

/**
 * Request-hygiene limits that xDS does not carry (or carries with defaults unsuitable for an edge proxy). xDS values
 * win where they exist ({@code request_headers_timeout}, {@code max_request_headers_kb}, {@code max_headers_count}).
 *
 * @param maxRequestBodyBytes request bodies above this are refused with 413 (0: unlimited)
 * @param retryBufferBytes request body kept for retries and mirrors; a longer body disables retries for its request
 *     (Envoy's per-connection buffer limit, 1 MiB)
 * @param defaultRequestHeadersTimeout used when a connection manager sets no {@code request_headers_timeout}:
 *     headers must be complete this long after their first byte (slowloris); zero disables
 * @param listenerFiltersTimeout how long a connection may take to send its TLS ClientHello (Envoy's 15 s)
 * @param maxConcurrentStreams HTTP/2 streams per downstream connection
 * @param drainTime how long {@link L7Engine#drain(Duration)} waits by default
 */
public record HygieneLimits(long maxRequestBodyBytes, int retryBufferBytes, Duration defaultRequestHeadersTimeout,
                            Duration listenerFiltersTimeout, int maxConcurrentStreams, Duration drainTime) {

  /** The defaults: unlimited bodies, 1 MiB retry buffer, 10 s header timeout, 15 s ClientHello timeout. */
  public static final HygieneLimits DEFAULTS = new HygieneLimits(0, 1024 * 1024, Duration.ofSeconds(10),
      Duration.ofSeconds(15), 1024, Duration.ofSeconds(5));

  /** Validates each limit. */
  public HygieneLimits {
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException("maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: >= 0)");
    }
    if (retryBufferBytes < 0) {
      throw new IllegalArgumentException("retryBufferBytes: " + retryBufferBytes + " (expected: >= 0)");
    }
    if (defaultRequestHeadersTimeout == null || defaultRequestHeadersTimeout.isNegative()) {
      throw new IllegalArgumentException("defaultRequestHeadersTimeout: " + defaultRequestHeadersTimeout
          + " (expected: >= 0)");
    }
    if (listenerFiltersTimeout == null || listenerFiltersTimeout.isNegative() || listenerFiltersTimeout.isZero()) {
      throw new IllegalArgumentException("listenerFiltersTimeout: " + listenerFiltersTimeout + " (expected: > 0)");
    }
    if (maxConcurrentStreams < 1) {
      throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: >= 1)");
    }
    if (drainTime == null || drainTime.isNegative()) {
      throw new IllegalArgumentException("drainTime: " + drainTime + " (expected: >= 0)");
    }
  }

  /** A copy with another body limit. */
  public HygieneLimits withMaxRequestBodyBytes(long bytes) {
    return new HygieneLimits(bytes, retryBufferBytes, defaultRequestHeadersTimeout, listenerFiltersTimeout,
        maxConcurrentStreams, drainTime);
  }

  /** A copy with another default request-headers timeout. */
  public HygieneLimits withDefaultRequestHeadersTimeout(Duration timeout) {
    return new HygieneLimits(maxRequestBodyBytes, retryBufferBytes, timeout, listenerFiltersTimeout,
        maxConcurrentStreams, drainTime);
  }

  /** A copy with another retry buffer. */
  public HygieneLimits withRetryBufferBytes(int bytes) {
    return new HygieneLimits(maxRequestBodyBytes, bytes, defaultRequestHeadersTimeout, listenerFiltersTimeout,
        maxConcurrentStreams, drainTime);
  }
}
