package io.meshfed.gateway.eastwest;

/**
 * Counters the runtime kit exports ({@code meshfed_eastwest_rejected_total{reason}},
 * {@code meshfed_eastwest_upstream_failures_total{response_flags}}, active connections). Reads are cheap and
 * thread-safe; values are cumulative since the gateway started.
 */
public interface GatewayStats {

  long rejected(RejectReason reason);

  /** Connections or requests that ended with this response flag. */
  long flagged(ResponseFlag flag);

  long acceptedConnections();

  /** Downstream connections open now (all listeners). */
  int activeConnections();

  long receivedBytes();

  long sentBytes();

  long requests();
}
