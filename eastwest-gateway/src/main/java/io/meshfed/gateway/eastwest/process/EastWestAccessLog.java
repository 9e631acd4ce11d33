package io.meshfed.gateway.eastwest.process;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.accesslog.AccessLogger;
import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.RequestRecord;
import java.net.InetSocketAddress;

/**
 * The engine's connection and request records as access-log entries (docs/diagnostics.md): one TCP line per
 * downstream connection (passthrough, terminate, rejected), one HTTP line per request of an L7 chain. Called on event
 * loops: builds one entry and hands it to the logger's queue, which never blocks.
 */
final class EastWestAccessLog implements ConnectionObserver {

  private final AccessLogger logger;

  EastWestAccessLog(AccessLogger logger) {
    this.logger = logger;
  }

  @Override
  public void closed(ConnectionRecord record) {
    logger.log(AccessLogEntry.tcp()
        .startTime(record.start())
        .durationMillis(record.duration().toMillis())
        .downstreamRemoteAddress(address(record.downstreamRemote()))
        .downstreamLocalAddress(address(record.downstreamLocal()))
        .requestedServerName(emptyToNull(record.requestedServerName()))
        .sourcePrincipal(emptyToNull(record.sourcePrincipal()))
        .upstreamCluster(emptyToNull(record.destinationCluster()))
        .upstreamHost(address(record.upstreamHost()))
        .responseFlags(EngineFlags.of(record.responseFlags()))
        .connectionTerminationDetails(record.rejectReason() == null ? emptyToNull(record.details())
            : record.rejectReason().name().toLowerCase(java.util.Locale.ROOT)
                + (record.details() == null || record.details().isEmpty() ? "" : ": " + record.details()))
        .bytesReceived(record.receivedBytes())
        .bytesSent(record.sentBytes())
        .build());
  }

  @Override
  public void request(RequestRecord record) {
    logger.log(AccessLogEntry.http()
        .startTime(record.start())
        .durationMillis(record.duration().toMillis())
        .downstreamRemoteAddress(address(record.downstreamRemote()))
        .sourcePrincipal(emptyToNull(record.sourcePrincipal()))
        .protocol(record.protocol())
        .method(record.method())
        .authority(record.authority())
        .path(record.path())
        .requestId(emptyToNull(record.requestId()))
        .responseCode(record.status())
        .responseFlags(EngineFlags.of(record.responseFlags()))
        .responseCodeDetails(emptyToNull(record.details()))
        .upstreamCluster(emptyToNull(record.destinationCluster()))
        .upstreamHost(address(record.upstreamHost()))
        .upstreamRequestAttemptCount(record.attempts())
        .bytesReceived(record.requestBytes())
        .bytesSent(record.responseBytes())
        .build());
  }

  private static String address(InetSocketAddress address) {
    return address == null ? null : address.getHostString() + ":" + address.getPort();
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
