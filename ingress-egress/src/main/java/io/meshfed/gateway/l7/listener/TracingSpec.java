package io.meshfed.gateway.l7.listener;

/**
 * A connection manager's {@code tracing}: present, the gateway is a hop of the trace (it writes {@code traceparent} and
 * B3 for the upstream); absent, trace headers pass through untouched, as in Envoy without a tracing configuration.
 *
 * @param randomSamplingPercent {@code random_sampling}: the share of new traces (no incoming context) marked sampled,
 *     0 to 100 (Envoy's default 100; Istio writes its mesh default, 1)
 */
public record TracingSpec(double randomSamplingPercent) {

  public TracingSpec {
    if (!(randomSamplingPercent >= 0 && randomSamplingPercent <= 100)) {
      throw new IllegalArgumentException("randomSamplingPercent: " + randomSamplingPercent
          + " (expected: 0 to 100)");
    }
  }
}
