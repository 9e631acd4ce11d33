package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.RequestRecord;
import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Builds the one {@link RequestRecord} of a request through the forwarder and emits it with its counts (the request,
 * each response flag): what an {@link Exchange} reports at its end and what a head timeout reports for a request that
 * never got a method or path. What is not set stays empty ({@code ""}, no host, 0). Event-loop confined, used once.
 */
final class RequestLog {

  private final RequestForwarder forwarder;
  private final Instant start;
  private final long startNanos;
  private String method = "";
  private String authority = "";
  private String path = "";
  private String requestId = "";
  private int status;
  private Set<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private String details = "";
  private String cluster = "";
  private Host host;
  private int attempts;
  private long requestBytes;
  private long responseBytes;

  private RequestLog(RequestForwarder forwarder, Instant start, long startNanos) {
    this.forwarder = forwarder;
    this.start = start;
    this.startNanos = startNanos;
  }

  /** A record for a request on {@code forwarder}'s connection or stream that began at {@code startNanos}. */
  static RequestLog startedAt(RequestForwarder forwarder, Instant start, long startNanos) {
    return new RequestLog(forwarder, start, startNanos);
  }

  RequestLog request(String requestMethod, String requestAuthority, String requestPath, String id) {
    method = requestMethod;
    authority = requestAuthority;
    path = requestPath;
    requestId = id;
    return this;
  }

  RequestLog response(int code, Set<ResponseFlag> responseFlags, String responseDetails) {
    status = code;
    flags = responseFlags;
    details = responseDetails;
    return this;
  }

  /** The cluster routed to and the last host tried ({@code null} when none was), after {@code tries} attempts. */
  RequestLog upstream(String clusterName, Host lastHost, int tries) {
    cluster = clusterName;
    host = lastHost;
    attempts = tries;
    return this;
  }

  RequestLog bytes(long received, long sent) {
    requestBytes = received;
    responseBytes = sent;
    return this;
  }

  /** Counts the request and its flags, and hands the record to the observer; the duration runs until now. */
  void emit() {
    Downstream connection = forwarder.record();
    for (ResponseFlag flag : flags) {
      connection.counters().flag(flag);
    }
    forwarder.services().counters().request();
    forwarder.services().observer().request(new RequestRecord(forwarder.listener(), connection.mode(),
        (InetSocketAddress) connection.channel().remoteAddress(), connection.principal(),
        forwarder.multiplexed() ? "HTTP/2" : "HTTP/1.1", method, authority, path, requestId, status, flags, details,
        cluster, host == null ? null : host.address(),
        host == null ? ConnectionRecord.Upstream.UNKNOWN : host.destination(), attempts, start,
        Duration.ofNanos(System.nanoTime() - startNanos), requestBytes, responseBytes));
  }
}
