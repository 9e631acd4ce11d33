package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code envoy.filters.network.http_connection_manager} with only the router filter: the route table (from RDS),
 * the accepted codec and the timeouts the minimal forwarder enforces, with Envoy's semantics (0 disables each):
 * <ul>
 *   <li>{@code common_http_protocol_options.idle_timeout} (Envoy's default 1 h): an HTTP/1.1 connection with no
 *       request in flight that long is closed, and so is one whose protocol is not known yet because it sent
 *       nothing; a request head on its way counts as a request while either timeout below bounds it. An HTTP/2
 *       connection without an active stream that long (from its start, or its last stream's end; PINGs do not
 *       count) gets GOAWAY and closes, as on a drain.</li>
 *   <li>{@code stream_idle_timeout} (default 5 min): a stream on which no byte moved either way that long (request
 *       head or body read, response head or body received) gets 408 while its request is still arriving (the
 *       HTTP/1.1 connection closes, the HTTP/2 stream is reset after it), 504 once the request has all arrived and no
 *       response has started (the connection stays), and a reset once one has; flag {@code SI}, details
 *       {@code stream_idle_timeout}. On HTTP/1.1 it also bounds a request head, from its first byte; on HTTP/2 also
 *       the wait of a response's end for the client's flow-control window (the stream is reset).</li>
 *   <li>{@code request_headers_timeout} (default 0, Envoy's): an HTTP/1.1 request head not complete that long after
 *       its first byte gets 408, details {@code request_header_timeout} (Envoy's), flag {@code DPE} (ours: Envoy sets
 *       none), and the connection closes. The start of an HTTP/2 preface left unfinished is timed as such a head.
 *       On HTTP/2 it times nothing: the codec opens a stream only once its whole header block (HEADERS and any
 *       CONTINUATION) has arrived, where Envoy times it from the HEADERS frame.</li>
 * </ul>
 * The route timeout bounds each request; a route's {@code idle_timeout} is refused by the translator.
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
