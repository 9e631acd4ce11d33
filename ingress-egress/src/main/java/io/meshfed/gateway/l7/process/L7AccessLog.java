package io.meshfed.gateway.l7.process;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.accesslog.AccessLogger;
import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import java.net.InetSocketAddress;

/**
 * The engine's outcomes as access-log entries (Envoy's {@code %...%} fields, docs/diagnostics.md). Called on event
 * loops: builds one entry and hands it to the logger's queue, which never blocks.
 */
final class L7AccessLog implements OutcomeSink {

  private final AccessLogger logger;

  L7AccessLog(AccessLogger logger) {
    this.logger = logger;
  }

  @Override
  public void request(RequestOutcome outcome) {
    logger.log(AccessLogEntry.http()
        .startTime(outcome.startTime())
        .durationMillis(outcome.durationNanos() / 1_000_000)
        .routeName(emptyToNull(outcome.routeName()))
        .protocol(outcome.protocol())
        .method(outcome.method())
        .authority(outcome.authority())
        .path(outcome.path())
        .requestId(emptyToNull(outcome.requestId()))
        .userAgent(emptyToNull(outcome.userAgent()))
        .xForwardedFor(emptyToNull(outcome.forwardedFor()))
        .downstreamRemoteAddress(address(outcome.downstreamRemote()))
        .downstreamLocalAddress(address(outcome.downstreamLocal()))
        .requestedServerName(emptyToNull(outcome.requestedServerName()))
        .sourcePrincipal(emptyToNull(outcome.downstreamPeerPrincipal()))
        .responseCode(outcome.responseCode())
        .responseFlags(ResponseFlags.parseKnown(outcome.responseFlags()))
        .responseCodeDetails(emptyToNull(outcome.responseCodeDetails()))
        .upstreamCluster(emptyToNull(outcome.upstreamCluster()))
        .upstreamHost(emptyToNull(outcome.upstreamHost()))
        .upstreamServiceTimeMillis(outcome.upstreamServiceTimeNanos() < 0 ? -1
            : outcome.upstreamServiceTimeNanos() / 1_000_000)
        .upstreamRequestAttemptCount(outcome.attempts())
        .bytesReceived(outcome.bytesReceived())
        .bytesSent(outcome.bytesSent())
        .build());
  }

  @Override
  public void connection(TcpOutcome outcome) {
    logger.log(AccessLogEntry.tcp()
        .startTime(outcome.startTime())
        .durationMillis(outcome.durationNanos() / 1_000_000)
        .requestedServerName(emptyToNull(outcome.requestedServerName()))
        .upstreamCluster(emptyToNull(outcome.upstreamCluster()))
        .upstreamHost(emptyToNull(outcome.upstreamHost()))
        .downstreamRemoteAddress(address(outcome.downstreamRemote()))
        .responseFlags(ResponseFlags.parseKnown(outcome.responseFlags()))
        .bytesReceived(outcome.bytesReceived())
        .bytesSent(outcome.bytesSent())
        .build());
  }

  private static String address(InetSocketAddress address) {
    return address == null ? null : address.getHostString() + ":" + address.getPort();
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
