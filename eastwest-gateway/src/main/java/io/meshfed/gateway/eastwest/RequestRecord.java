package io.meshfed.gateway.eastwest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One HTTP request through an L7 chain (terminate mode on an HTTP port, or the outbound listener), as Istio's request
 * metrics ({@code istio_requests_total}, {@code istio_request_duration_milliseconds}) and the access log need it.
 * {@code status} is 0 when no response was sent (downstream went away first). {@code requestId} is the
 * {@code x-request-id} forwarded upstream: the caller's (east's ingress gateway sets one on every request), else one
 * generated here, as Envoy's HTTP connection manager does, so {@code meshfed explain <id>} finds this hop.
 */
public record RequestRecord(
    String listener,
    Mode mode,
    InetSocketAddress downstreamRemote,
    String sourcePrincipal,
    String protocol,
    String method,
    String authority,
    String path,
    String requestId,
    int status,
    Set<ResponseFlag> responseFlags,
    String details,
    String destinationCluster,
    InetSocketAddress upstreamHost,
    ConnectionRecord.Upstream destination,
    int attempts,
    Instant start,
    Duration duration,
    long requestBytes,
    long responseBytes) {

  public RequestRecord {
    responseFlags = Set.copyOf(responseFlags);
  }

  public String responseFlagsLabel() {
    if (responseFlags.isEmpty()) {
      return "-";
    }
    return String.join(",", responseFlags.stream().map(ResponseFlag::code).sorted().toList());
  }
}
