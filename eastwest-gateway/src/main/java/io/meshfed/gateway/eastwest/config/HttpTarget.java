package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code envoy.filters.network.http_connection_manager} with only the router filter: the route table (from RDS),
 * the accepted codec and the timeouts the minimal forwarder honours: {@code common_http_protocol_options.idle_timeout}
 * (an HTTP/1.1 connection with no request in flight that long is closed; Envoy's default 1 h). The stream idle and
 * request headers timeouts are carried but not enforced yet; the route timeout bounds each request.
 */
public record HttpTarget(String routeConfigName, RouteTable routes, Codec codec, Duration idleTimeout,
    Duration streamIdleTimeout, Duration requestHeadersTimeout, int maxRequestHeadersBytes) implements ChainTarget {

  /** {@code HttpConnectionManager.codec_type}. */
  public enum Codec { AUTO, HTTP1, HTTP2 }

  public HttpTarget {
    Objects.requireNonNull(routeConfigName, "routeConfigName");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    Objects.requireNonNull(requestHeadersTimeout, "requestHeadersTimeout");
  }
}
