package io.meshfed.control.client.metrics;

import io.meshfed.control.client.flags.ResponseFlags;
import java.util.Objects;

/**
 * Bytes moved on one TCP connection since its last report, with the connection's flags so far, as
 * {@link IstioMetrics#recordConnectionBytes(ConnectionMetric)} and
 * {@link IstioMetrics#recordConnectionClosed(ConnectionMetric)} take it. Long connections report periodically so
 * dashboards see their traffic before they close, as Istio's proxies do.
 *
 * @param labels the source/destination labels of the connection
 * @param flags the connection's response flags ({@code UF} when the upstream connect failed, ...)
 * @param sentBytes bytes sent downstream since the last report
 * @param receivedBytes bytes received from downstream since the last report
 */
public record ConnectionMetric(TrafficLabels labels, ResponseFlags flags, long sentBytes, long receivedBytes) {

  public ConnectionMetric {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(flags, "flags");
    if (sentBytes < 0 || receivedBytes < 0) {
      throw new IllegalArgumentException("sentBytes/receivedBytes: " + sentBytes + "/" + receivedBytes
          + " (expected: >= 0, the bytes since the last report)");
    }
  }
}
