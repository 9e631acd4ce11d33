package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.routing.RouteTable;
import java.time.Duration;
import java.util.List;

/**
 * A compiled {@code envoy.filters.network.http_connection_manager}.
 *
 * @param statPrefix {@code stat_prefix}
 * @param routeConfigName the RDS name ({@code http.8080}), null when the route configuration is inline
 * @param inlineRoutes {@code route_config} when inline, else null
 * @param useRemoteAddress {@code use_remote_address}: the socket peer is the client (edge proxy)
 * @param xffNumTrustedHops {@code xff_num_trusted_hops}
 * @param preserveExternalRequestId {@code preserve_external_request_id}
 * @param requestHeadersTimeout {@code request_headers_timeout}; null for the engine's default
 * @param streamIdleTimeout {@code stream_idle_timeout} (default 5 min); null to disable
 * @param idleTimeout {@code common_http_protocol_options.idle_timeout} (default 1 h); null to disable
 * @param maxHeadersCount {@code common_http_protocol_options.max_headers_count} (default 100)
 * @param maxRequestHeadersBytes {@code max_request_headers_kb} × 1024 (default 60 KiB)
 * @param websocket WebSocket upgrades allowed
 * @param filters HTTP filters in order, ending with the router
 * @param alwaysSetRequestIdInResponse {@code always_set_request_id_in_response}: every response carries the request's
 *     {@code x-request-id}; always on for the ingress role (docs/diagnostics.md: the id a client sees is what
 *     {@code meshfed explain} takes)
 * @param tracing {@code tracing}; null when absent (trace headers pass through untouched)
 */
public record HttpManagerSpec(String statPrefix, String routeConfigName, RouteTable inlineRoutes,
                              boolean useRemoteAddress, int xffNumTrustedHops, boolean preserveExternalRequestId,
                              Duration requestHeadersTimeout, Duration streamIdleTimeout, Duration idleTimeout,
                              int maxHeadersCount, int maxRequestHeadersBytes, boolean websocket,
                              List<HttpFilterSpec> filters, boolean alwaysSetRequestIdInResponse,
                              TracingSpec tracing) {
}
