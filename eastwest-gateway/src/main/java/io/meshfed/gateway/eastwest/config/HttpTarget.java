package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code envoy.filters.network.http_connection_manager} with only the router filter: the route table (from RDS),
 * the accepted codec and the timeouts the minimal forwarder honours.
 */
public record HttpTarget(String routeConfigName, RouteTable routes, Codec codec, Duration streamIdleTimeout,
    Duration requestHeadersTimeout, int maxRequestHeadersBytes) implements ChainTarget {

  /** {@code HttpConnectionManager.codec_type}. */
  public enum Codec { AUTO, HTTP1, HTTP2 }

  public HttpTarget {
    Objects.requireNonNull(routeConfigName, "routeConfigName");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    Objects.requireNonNull(requestHeadersTimeout, "requestHeadersTimeout");
  }
}
