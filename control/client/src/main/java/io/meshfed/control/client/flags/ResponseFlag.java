package io.meshfed.control.client.flags;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One Envoy response flag, with its short code (as in {@code %RESPONSE_FLAGS%}), Envoy's long name (as in
 * {@code %RESPONSE_FLAGS_LONG%}) and the status code a locally generated response with this flag usually carries.
 *
 * <p>Declared in Envoy's bit order, which is the order Envoy prints several flags in ({@code UF,URX}); only the
 * flags meshfed's gateways emit are listed (docs/xds-profile.md, "Response flags").
 */
public enum ResponseFlag {
  /** No healthy upstream host in the upstream cluster. */
  UH("NoHealthyUpstream", 503, "no healthy upstream host"),
  /** The upstream request timed out (route timeout or the last per-try timeout). */
  UT("UpstreamRequestTimeout", 504, "upstream request timeout"),
  /** The gateway reset the stream itself. */
  LR("LocalReset", 503, "connection local reset"),
  /** The upstream reset the stream. */
  UR("UpstreamRemoteReset", 503, "upstream remote reset"),
  /** The gateway could not connect (or complete TLS) to the upstream host. */
  UF("UpstreamConnectionFailure", 503, "upstream connection failure"),
  /** The upstream connection closed while the request was on it. */
  UC("UpstreamConnectionTermination", 503, "upstream connection termination"),
  /** A circuit breaker (connection pool limit) rejected the request. */
  UO("UpstreamOverflow", 503, "upstream overflow (circuit breaking)"),
  /** No route (or no filter chain) matched the request. */
  NR("NoRouteFound", 404, "no route configured"),
  /** Fault injection delayed the request. */
  DI("DelayInjected", 0, "delayed by fault injection"),
  /** Fault injection aborted the request. */
  FI("FaultInjected", 0, "aborted by fault injection"),
  /** A rate limit rejected the request. */
  RL("RateLimited", 429, "rate limited"),
  /** An external authorizer (AuthorizationPolicy CUSTOM) denied the request. */
  UAEX("UnauthorizedExternalService", 403, "denied by an external authorizer"),
  /** The downstream connection closed before the response was complete. */
  DC("DownstreamConnectionTermination", 0, "downstream connection termination"),
  /** Retries (HTTP) or connect attempts (TCP) ran out. */
  URX("UpstreamRetryLimitExceeded", 503, "retry limit or connect attempts exhausted"),
  /** The stream idle timeout fired. */
  SI("StreamIdleTimeout", 408, "stream idle timeout"),
  /** The downstream request broke the HTTP protocol. */
  DPE("DownstreamProtocolError", 400, "downstream protocol error"),
  /** The upstream request reached its maximum stream duration. */
  UMSDR("UpstreamMaxStreamDurationReached", 408, "upstream max stream duration reached"),
  /** The upstream response broke the HTTP protocol. */
  UPE("UpstreamProtocolError", 502, "upstream protocol error"),
  /** The route's upstream cluster is not configured. */
  NC("NoClusterFound", 503, "upstream cluster not found");

  private final String longName;
  private final int typicalStatus;
  private final String summary;

  ResponseFlag(String longName, int typicalStatus, String summary) {
    this.longName = longName;
    this.typicalStatus = typicalStatus;
    this.summary = summary;
  }

  /** The short code, as Envoy prints it in {@code %RESPONSE_FLAGS%}: {@code UF}. */
  public String code() {
    return name();
  }

  /** Envoy's long name, as in {@code %RESPONSE_FLAGS_LONG%}: {@code UpstreamConnectionFailure}. */
  public String longName() {
    return longName;
  }

  /**
   * The status of a response the gateway generates with this flag, empty when it depends on something else
   * (DI: the upstream's status; FI: the configured abort status; DC: usually no response at all).
   */
  public OptionalInt typicalStatus() {
    return typicalStatus == 0 ? OptionalInt.empty() : OptionalInt.of(typicalStatus);
  }

  /** A few words on what the flag means: {@code upstream connection failure}. */
  public String summary() {
    return summary;
  }

  /** The flag with this short code or Envoy long name (the long name case-insensitively). */
  public static Optional<ResponseFlag> find(String codeOrLongName) {
    for (ResponseFlag flag : values()) {
      if (flag.name().equals(codeOrLongName) || flag.longName.equalsIgnoreCase(codeOrLongName)) {
        return Optional.of(flag);
      }
    }
    String upper = codeOrLongName.toUpperCase(Locale.ROOT);
    for (ResponseFlag flag : values()) {
      if (flag.name().equals(upper)) {
        return Optional.of(flag);
      }
    }
    return Optional.empty();
  }
}
