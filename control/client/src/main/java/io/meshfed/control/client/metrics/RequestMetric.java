package io.meshfed.control.client.metrics;

import io.meshfed.control.client.flags.ResponseFlags;
import java.util.Objects;

/**
 * One finished HTTP or gRPC request, as {@link IstioMetrics#recordRequest(RequestMetric)} takes it.
 *
 * @param labels the source/destination labels of the request's upstream (reused across requests)
 * @param protocol {@code http} or {@code grpc}
 * @param responseCode the status sent downstream; 0 when none was sent
 * @param grpcStatus the gRPC status code (0..16) of a gRPC response, -1 for none
 * @param flags the response flags
 * @param durationMillis from the first request byte received to the last response byte sent
 * @param requestBytes request body bytes received
 * @param responseBytes response body bytes sent
 */
public record RequestMetric(TrafficLabels labels, RequestProtocol protocol, int responseCode, int grpcStatus,
    ResponseFlags flags, double durationMillis, long requestBytes, long responseBytes) {

  public RequestMetric {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(flags, "flags");
    if (responseCode < 0 || responseCode > 999) {
      throw new IllegalArgumentException("responseCode: " + responseCode + " (expected: 0 for none, or 100..999)");
    }
    if (grpcStatus < -1 || grpcStatus > 16) {
      throw new IllegalArgumentException("grpcStatus: " + grpcStatus + " (expected: -1 for none, or 0..16)");
    }
  }

  /** An HTTP (not gRPC) request. */
  public static RequestMetric http(TrafficLabels labels, int responseCode, ResponseFlags flags, double durationMillis,
      long requestBytes, long responseBytes) {
    return new RequestMetric(labels, RequestProtocol.HTTP, responseCode, -1, flags, durationMillis, requestBytes,
        responseBytes);
  }
}
