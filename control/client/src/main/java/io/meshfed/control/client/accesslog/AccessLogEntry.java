package io.meshfed.control.client.accesslog;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import java.time.Instant;
import java.util.Objects;

/**
 * One access-log line: a finished HTTP request or a closed TCP connection, with the fields of Istio's default
 * access log (Envoy's command operators in brackets). Strings are {@code null} when not known; numbers -1 when not
 * known, except {@code responseCode} (0: none sent, as Envoy logs it).
 *
 * @param kind HTTP request or TCP connection
 * @param startTime when the first byte arrived ({@code %START_TIME%})
 * @param method the request method
 * @param path the request path as received, query included ({@code %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%})
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2}; null for TCP
 * @param responseCode the status sent downstream ({@code %RESPONSE_CODE%}), 0 for none
 * @param responseFlags the response flags ({@code %RESPONSE_FLAGS%})
 * @param responseCodeDetails why the response has its code ({@code %RESPONSE_CODE_DETAILS%}): {@code via_upstream},
 *     {@code route_not_found}, {@code rbac_access_denied_matched_policy[...]}, ...
 * @param connectionTerminationDetails why the connection was closed ({@code %CONNECTION_TERMINATION_DETAILS%})
 * @param upstreamTransportFailureReason why the upstream connection failed, TLS errors included
 *     ({@code %UPSTREAM_TRANSPORT_FAILURE_REASON%})
 * @param bytesReceived body bytes received from downstream ({@code %BYTES_RECEIVED%})
 * @param bytesSent body bytes sent downstream ({@code %BYTES_SENT%})
 * @param durationMillis from start to the last byte sent ({@code %DURATION%})
 * @param upstreamServiceTimeMillis time the upstream took to answer ({@code x-envoy-upstream-service-time}), -1 when
 *     no upstream answered
 * @param upstreamRequestAttemptCount attempts made upstream, retries included, 0 when none
 *     ({@code %UPSTREAM_REQUEST_ATTEMPT_COUNT%})
 * @param xForwardedFor the {@code x-forwarded-for} request header
 * @param userAgent the {@code user-agent} request header
 * @param requestId the {@code x-request-id} request header
 * @param authority the {@code :authority} / {@code host}
 * @param upstreamHost the upstream host address, {@code ip:port} ({@code %UPSTREAM_HOST%})
 * @param upstreamCluster the upstream cluster name ({@code outbound|9080||reviews.default.svc.cluster.local})
 * @param upstreamLocalAddress the local address of the upstream connection
 * @param downstreamLocalAddress the gateway's address the client connected to
 * @param downstreamRemoteAddress the client's address
 * @param requestedServerName the TLS SNI the client sent ({@code %REQUESTED_SERVER_NAME%})
 * @param routeName the route that matched ({@code %ROUTE_NAME%})
 * @param traceparent the W3C {@code traceparent} header as forwarded
 * @param sourcePrincipal the client's SPIFFE identity (mTLS peer), when known
 * @param sourceCluster the client's cluster, when known
 * @param destinationPrincipal the upstream's SPIFFE identity, when known
 * @param destinationCluster the upstream's cluster, when known
 */
public record AccessLogEntry(
    Kind kind,
    Instant startTime,
    String method,
    String path,
    String protocol,
    int responseCode,
    ResponseFlags responseFlags,
    String responseCodeDetails,
    String connectionTerminationDetails,
    String upstreamTransportFailureReason,
    long bytesReceived,
    long bytesSent,
    long durationMillis,
    long upstreamServiceTimeMillis,
    int upstreamRequestAttemptCount,
    String xForwardedFor,
    String userAgent,
    String requestId,
    String authority,
    String upstreamHost,
    String upstreamCluster,
    String upstreamLocalAddress,
    String downstreamLocalAddress,
    String downstreamRemoteAddress,
    String requestedServerName,
    String routeName,
    String traceparent,
    String sourcePrincipal,
    String sourceCluster,
    String destinationPrincipal,
    String destinationCluster) {

  private static final ResponseFlags DELAY_ONLY = ResponseFlags.of(ResponseFlag.DI);

  /** What the line describes. */
  public enum Kind {
    /** An HTTP request (any version, gRPC included). */
    HTTP,
    /** A TCP connection (passthrough, tcp_proxy). */
    TCP
  }

  public AccessLogEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(responseFlags, "responseFlags");
  }

  /** A builder for an HTTP request's line. */
  public static Builder http() {
    return new Builder(Kind.HTTP);
  }

  /** A builder for a TCP connection's line. */
  public static Builder tcp() {
    return new Builder(Kind.TCP);
  }

  /**
   * Whether this hop produced the outcome itself rather than forwarding the upstream's: a response flag other than
   * DI (a delay alone still forwards), or an RBAC denial (a 403 whose flag is {@code -}, as in Envoy).
   */
  public boolean locallyGenerated() {
    return !responseFlags.isEmpty() && !responseFlags.equals(DELAY_ONLY)
        || responseCodeDetails != null && responseCodeDetails.startsWith("rbac_access_denied");
  }

  /** Whether the request failed here: generated locally, a 5xx, or (HTTP) no response sent at all. */
  public boolean failed() {
    return locallyGenerated() || responseCode >= 500 || kind == Kind.HTTP && responseCode == 0;
  }

  /** Builds an {@link AccessLogEntry}; unset strings stay null, unset numbers -1 (responseCode 0). */
  public static final class Builder {
    private final Kind kind;
    private Instant startTime;
    private String method;
    private String path;
    private String protocol;
    private int responseCode;
    private ResponseFlags responseFlags = ResponseFlags.NONE;
    private String responseCodeDetails;
    private String connectionTerminationDetails;
    private String upstreamTransportFailureReason;
    private long bytesReceived;
    private long bytesSent;
    private long durationMillis = -1;
    private long upstreamServiceTimeMillis = -1;
    private int upstreamRequestAttemptCount;
    private String xForwardedFor;
    private String userAgent;
    private String requestId;
    private String authority;
    private String upstreamHost;
    private String upstreamCluster;
    private String upstreamLocalAddress;
    private String downstreamLocalAddress;
    private String downstreamRemoteAddress;
    private String requestedServerName;
    private String routeName;
    private String traceparent;
    private String sourcePrincipal;
    private String sourceCluster;
    private String destinationPrincipal;
    private String destinationCluster;

    private Builder(Kind kind) {
      this.kind = kind;
    }

    public Builder startTime(Instant startTime) {
      this.startTime = startTime;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder protocol(String protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder responseCode(int responseCode) {
      if (responseCode < 0 || responseCode > 999) {
        throw new IllegalArgumentException("responseCode: " + responseCode + " (expected: 0 for none, or 100..999)");
      }
      this.responseCode = responseCode;
      return this;
    }

    public Builder responseFlags(ResponseFlags responseFlags) {
      this.responseFlags = Objects.requireNonNull(responseFlags, "responseFlags");
      return this;
    }

    public Builder responseCodeDetails(String responseCodeDetails) {
      this.responseCodeDetails = responseCodeDetails;
      return this;
    }

    public Builder connectionTerminationDetails(String connectionTerminationDetails) {
      this.connectionTerminationDetails = connectionTerminationDetails;
      return this;
    }

    public Builder upstreamTransportFailureReason(String upstreamTransportFailureReason) {
      this.upstreamTransportFailureReason = upstreamTransportFailureReason;
      return this;
    }

    public Builder bytesReceived(long bytesReceived) {
      this.bytesReceived = bytesReceived;
      return this;
    }

    public Builder bytesSent(long bytesSent) {
      this.bytesSent = bytesSent;
      return this;
    }

    public Builder durationMillis(long durationMillis) {
      this.durationMillis = durationMillis;
      return this;
    }

    public Builder upstreamServiceTimeMillis(long upstreamServiceTimeMillis) {
      this.upstreamServiceTimeMillis = upstreamServiceTimeMillis;
      return this;
    }

    public Builder upstreamRequestAttemptCount(int upstreamRequestAttemptCount) {
      this.upstreamRequestAttemptCount = upstreamRequestAttemptCount;
      return this;
    }

    public Builder xForwardedFor(String xForwardedFor) {
      this.xForwardedFor = xForwardedFor;
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public Builder upstreamHost(String upstreamHost) {
      this.upstreamHost = upstreamHost;
      return this;
    }

    public Builder upstreamCluster(String upstreamCluster) {
      this.upstreamCluster = upstreamCluster;
      return this;
    }

    public Builder upstreamLocalAddress(String upstreamLocalAddress) {
      this.upstreamLocalAddress = upstreamLocalAddress;
      return this;
    }

    public Builder downstreamLocalAddress(String downstreamLocalAddress) {
      this.downstreamLocalAddress = downstreamLocalAddress;
      return this;
    }

    public Builder downstreamRemoteAddress(String downstreamRemoteAddress) {
      this.downstreamRemoteAddress = downstreamRemoteAddress;
      return this;
    }

    public Builder requestedServerName(String requestedServerName) {
      this.requestedServerName = requestedServerName;
      return this;
    }

    public Builder routeName(String routeName) {
      this.routeName = routeName;
      return this;
    }

    public Builder traceparent(String traceparent) {
      this.traceparent = traceparent;
      return this;
    }

    public Builder sourcePrincipal(String sourcePrincipal) {
      this.sourcePrincipal = sourcePrincipal;
      return this;
    }

    public Builder sourceCluster(String sourceCluster) {
      this.sourceCluster = sourceCluster;
      return this;
    }

    public Builder destinationPrincipal(String destinationPrincipal) {
      this.destinationPrincipal = destinationPrincipal;
      return this;
    }

    public Builder destinationCluster(String destinationCluster) {
      this.destinationCluster = destinationCluster;
      return this;
    }

    /** The entry; the start time defaults to now. */
    public AccessLogEntry build() {
      return new AccessLogEntry(kind, startTime != null ? startTime : Instant.now(), method, path, protocol,
          responseCode, responseFlags, responseCodeDetails, connectionTerminationDetails,
          upstreamTransportFailureReason, bytesReceived, bytesSent, durationMillis, upstreamServiceTimeMillis,
          upstreamRequestAttemptCount, xForwardedFor, userAgent, requestId, authority, upstreamHost,
          upstreamCluster, upstreamLocalAddress, downstreamLocalAddress, downstreamRemoteAddress,
          requestedServerName, routeName, traceparent, sourcePrincipal, sourceCluster, destinationPrincipal,
          destinationCluster);
    }
  }
}
