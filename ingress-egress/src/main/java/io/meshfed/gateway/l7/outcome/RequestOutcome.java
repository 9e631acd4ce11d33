package io.meshfed.gateway.l7.outcome;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * What happened to one HTTP request, recorded once when it ends: the value the metrics (Istio's
 * {@code istio_requests_total} and friends) and the JSON access log are both computed from.
 *
 * <p>Field names follow Envoy's access-log command operators so the access log can map them one to one
 * ({@code %RESPONSE_FLAGS%}, {@code %RESPONSE_CODE_DETAILS%}, {@code %UPSTREAM_CLUSTER%}, ...).
 *
 * @param startTime when the request headers were complete
 * @param durationNanos from {@code startTime} to the last byte sent downstream (or the reset)
 * @param listener the listener name ({@code 0.0.0.0_8080})
 * @param routeName the matched route's name, empty when none matched
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2}
 * @param method request method
 * @param authority the request's authority (Host / :authority) as received
 * @param path the request path as received (with query)
 * @param requestId the {@code x-request-id} forwarded upstream
 * @param userAgent the {@code user-agent}, empty when absent
 * @param forwardedFor the {@code x-forwarded-for} forwarded upstream, empty when none
 * @param downstreamRemote the client's address (the socket peer)
 * @param downstreamLocal the gateway's local address for this connection
 * @param requestedServerName the TLS SNI, empty for plaintext
 * @param downstreamPeerPrincipal the client certificate's URI SAN (SPIFFE id) or subject, empty when none
 * @param responseCode the status sent downstream; 0 when the stream was reset before a response
 * @param responseFlags Envoy response flags, comma-separated ({@code UF,URX}), {@code -} for none
 * @param responseCodeDetails why the response is what it is ({@code via_upstream}, {@code no_healthy_upstream}, ...)
 * @param upstreamCluster the cluster the request was routed to, empty when none
 * @param upstreamHost the upstream endpoint of the last attempt ({@code 10.0.0.1:9080}), empty when none
 * @param upstreamServiceTimeNanos time from the last attempt's request start to its response headers, -1 if none
 * @param attempts upstream attempts made (1 + retries), 0 when the request never reached an upstream
 * @param bytesReceived request body bytes received from downstream
 * @param bytesSent response body bytes sent downstream
 * @param grpcStatus the gRPC status sent downstream, empty when not gRPC
 */
public record RequestOutcome(
    Instant startTime,
    long durationNanos,
    String listener,
    String routeName,
    String protocol,
    String method,
    String authority,
    String path,
    String requestId,
    String userAgent,
    String forwardedFor,
    InetSocketAddress downstreamRemote,
    InetSocketAddress downstreamLocal,
    String requestedServerName,
    String downstreamPeerPrincipal,
    int responseCode,
    String responseFlags,
    String responseCodeDetails,
    String upstreamCluster,
    String upstreamHost,
    long upstreamServiceTimeNanos,
    int attempts,
    long bytesReceived,
    long bytesSent,
    String grpcStatus) {

  /** True when the gateway generated the response or reset itself (a response flag is set). */
  public boolean locallyGenerated() {
    return !"-".equals(responseFlags);
  }
}
