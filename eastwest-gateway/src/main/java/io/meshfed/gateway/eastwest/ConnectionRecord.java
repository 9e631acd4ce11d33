package io.meshfed.gateway.eastwest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One downstream connection as the access log and Istio's TCP metrics ({@code istio_tcp_connections_opened_total},
 * {@code istio_tcp_connections_closed_total}, {@code istio_tcp_received_bytes_total},
 * {@code istio_tcp_sent_bytes_total}) need it. Fields the gateway could not know are empty strings ({@code
 * sourcePrincipal} in passthrough mode: TLS is end to end); {@code upstreamHost} is {@code null} when no host was
 * reached; {@code rejectReason} is {@code null} unless the gateway refused the connection.
 */
public record ConnectionRecord(
    String listener,
    String filterChain,
    Mode mode,
    InetSocketAddress downstreamRemote,
    InetSocketAddress downstreamLocal,
    String requestedServerName,
    String negotiatedProtocol,
    String sourcePrincipal,
    String destinationCluster,
    InetSocketAddress upstreamHost,
    Upstream destination,
    Instant start,
    Duration duration,
    long receivedBytes,
    long sentBytes,
    Set<ResponseFlag> responseFlags,
    RejectReason rejectReason,
    String details) {

  /** Istio's destination labels of the chosen host ({@code filter_metadata.istio}); empty strings when unknown. */
  public record Upstream(String workload, String namespace, String app, String version, String cluster,
      String network) {
    public static final Upstream UNKNOWN = new Upstream("", "", "", "", "", "");
  }

  public ConnectionRecord {
    responseFlags = Set.copyOf(responseFlags);
  }

  /** The {@code response_flags} label: codes joined by commas, {@code -} when none (Envoy's format). */
  public String responseFlagsLabel() {
    if (responseFlags.isEmpty()) {
      return "-";
    }
    return String.join(",", responseFlags.stream().map(ResponseFlag::code).sorted().toList());
  }
}
