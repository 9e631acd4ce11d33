package io.meshfed.control.client.flags;

import java.util.List;

/**
 * The explanations of the flags a gateway sets because of the request itself or the route it met (NR, DI, FI, RL,
 * UAEX, DC, DPE, SI), of a failure without a flag ({@code -}), and of an RBAC denial (a 403 whose flag is
 * {@code -}, as in Envoy). Written after Envoy's access-log documentation and Istio's troubleshooting guides.
 */
final class RequestExplanations {

  /** The subject of the RBAC-denial explanation: the prefix of Envoy's response code details. */
  static final String RBAC_DENIED = "rbac_access_denied";

  private RequestExplanations() {
  }

  static List<FlagExplanation> all() {
    return List.of(nr(), di(), fi(), rl(), uaex(), dc(), dpe(), si());
  }

  private static FlagExplanation nr() {
    return FlagExplanation.builder("NR", "NoRouteFound").status("404; 502 for a REGISTRY_ONLY egress block")
        .what("No route matched the request: no virtual host for its authority, or no route of that host for its "
            + "path, method and headers (for TLS/TCP: no filter chain for its SNI). The gateway answered itself "
            + "(response_code_details: route_not_found). On an egress gateway with outboundTrafficPolicy "
            + "REGISTRY_ONLY, a host without a ServiceEntry meets the block_all virtual host and gets 502 NR.")
        .cause("host not served by the Gateway or VirtualService",
            "The request's Host (authority) is in no virtual host: the Gateway's servers.hosts or the "
                + "VirtualService's hosts do not list it, or a non-default port is missing from the match "
                + "(`example.com:8080`).",
            "Add the host to the Gateway server's hosts and to the VirtualService's hosts.",
            "access-log field authority against the domains in `meshfed proxy-config <gateway> routes`",
            "`meshfed analyze`: Gateway/VirtualService host mismatch, VirtualService host or gateway not found")
        .cause("VirtualService not bound to this gateway",
            "The VirtualService's gateways list does not name this Gateway (`<namespace>/<name>`), or its "
                + "exportTo hides it from the gateway's namespace.",
            "List the Gateway in the VirtualService's gateways (with its namespace when it lives elsewhere).",
            "access-log field route_name is empty",
            "`meshfed proxy-config <gateway> routes` does not show the VirtualService's routes")
        .cause("no route matches the path or headers",
            "The virtual host exists but its routes match only some paths, methods or headers, and there is no "
                + "catch-all route last.",
            "Add the missing match, or a final route without match conditions.",
            "access-log fields method, path and authority against the matches in "
                + "`meshfed proxy-config <gateway> routes`")
        .cause("host not registered (egress REGISTRY_ONLY)",
            "The mesh allows only registered hosts out, and the destination has no ServiceEntry.",
            "Add a ServiceEntry for the host, or use ALLOW_ANY if that is the intended policy.",
            "response_code 502 with response_flags NR and route_name block_all")
        .cause("stale config or start-up race",
            "The route was applied moments ago and has not reached this gateway yet, or the gateway rejected "
                + "(NACKed) the new config and keeps serving the last good one.",
            "Wait for the push, or read the control plane's and the gateway's log for the rejected resource and "
                + "fix it.",
            "`meshfed proxy-status`: STALE or NOT SENT for the gateway's routes",
            "`meshfed analyze` on the config that was applied")
        .cause("unknown SNI at an east-west gateway",
            "The SNI of an incoming cross-cluster connection names a service this cluster does not export, so no "
                + "filter chain matches and the connection is closed.",
            "Export the service in this cluster (ServiceExport) and check the caller uses the "
                + "outbound_.<port>_.<subset>_.<fqdn> SNI for it.",
            "meshfed_eastwest_rejected_total{reason=\"unknown_sni\"} on the east-west gateway",
            "access-log field requested_server_name")
        .build();
  }

  private static FlagExplanation di() {
    return FlagExplanation.builder("DI", "DelayInjected").status("the upstream's status")
        .what("A VirtualService fault.delay held the request for the configured time before forwarding it. The "
            + "response itself came from the upstream.")
        .cause("fault injection left enabled",
            "A VirtualService carries http[].fault.delay for this route, perhaps left over from a resilience test.",
            "Remove the fault block, or lower its percentage, once the test is over.",
            "`meshfed proxy-config <gateway> routes`: envoy.filters.http.fault in the route's typed_per_filter_config",
            "access-log duration includes the fixed delay")
        .build();
  }

  private static FlagExplanation fi() {
    return FlagExplanation.builder("FI", "FaultInjected").status("the configured abort status")
        .what("A VirtualService fault.abort answered the request with the configured status without contacting "
            + "the upstream (response_code_details: fault_filter_abort).")
        .cause("fault injection left enabled",
            "A VirtualService carries http[].fault.abort for this route, perhaps left over from a resilience test.",
            "Remove the fault block, or lower its percentage, once the test is over.",
            "`meshfed proxy-config <gateway> routes`: envoy.filters.http.fault in the route's typed_per_filter_config",
            "response_code equals the abort's httpStatus")
        .build();
  }

  private static FlagExplanation rl() {
    return FlagExplanation.builder("RL", "RateLimited").status("429")
        .what("A rate limit rejected the request before it was forwarded.")
        .cause("traffic above the configured limit",
            "Callers send more than the limit allows: a real surge, a retry loop in a client, or a limit set too "
                + "low.",
            "Raise the limit if the traffic is legitimate; otherwise find the caller (x_forwarded_for, "
                + "source_principal) and slow it down.",
            "istio_requests_total{response_code=\"429\", response_flags=\"RL\"} by source_workload",
            "access-log fields x_forwarded_for and source_principal of the rejected requests")
        .build();
  }

  private static FlagExplanation uaex() {
    return FlagExplanation.builder("UAEX", "UnauthorizedExternalService").status("403")
        .what("An external authorizer (AuthorizationPolicy action CUSTOM) denied the request, or could not be asked "
            + "and the policy fails closed.")
        .cause("the authorizer denied the request",
            "The external authorizer evaluated the request and said no: the intended outcome when the caller "
                + "lacks the right credentials.",
            "Fix the caller's credentials, or the authorizer's rules if the denial is wrong.",
            "the authorizer's own log for the request's x_request_id",
            "response_code_details of the access-log line")
        .cause("the authorizer is unreachable",
            "The CUSTOM provider's service is down or slow, and without it every request is denied.",
            "Repair or scale the authorizer; check the extension provider's address in the mesh config.",
            "the provider's cluster in `meshfed proxy-config <gateway> clusters` and its endpoints in "
                + "`... endpoints`",
            "every request under the policy fails, not only some callers")
        .build();
  }

  private static FlagExplanation dc() {
    return FlagExplanation.builder("DC", "DownstreamConnectionTermination").status("0 or the upstream's status")
        .what("The client (or whatever sits in front of the gateway) closed its connection before the response was "
            + "complete. This is rarely the gateway's or the backend's fault; it is a symptom of a client that gave "
            + "up.")
        .cause("client timeout shorter than the backend's latency",
            "The client stops waiting before the backend answers (an HTTP client default, a browser, a caller's "
                + "deadline).",
            "Align the client's timeout with the route timeout and the backend's real latency, or make the "
                + "backend faster.",
            "access-log duration is about the same value on every DC line (the client's timeout)",
            "istio_request_duration_milliseconds of the destination near that value")
        .cause("load balancer in front closes idle connections",
            "A cloud load balancer's idle timeout is shorter than the request (or the keep-alive) and it cuts the "
                + "connection.",
            "Raise the load balancer's idle timeout above the route timeout.",
            "downstream_remote_address is the load balancer's address")
        .cause("user cancelled",
            "A user navigated away or a client cancelled the call; nothing to fix if the rate is low.",
            "Nothing, unless the rate is high; then look at latency.",
            "a low, steady rate of DC in istio_requests_total{response_flags=\"DC\"}")
        .build();
  }

  private static FlagExplanation dpe() {
    return FlagExplanation.builder("DPE", "DownstreamProtocolError").status("400; 431 for oversized headers")
        .what("The client's request broke the HTTP protocol and the gateway rejected it before routing: conflicting "
            + "Content-Length and Transfer-Encoding (request smuggling), headers too large or too many, invalid "
            + "characters, an HTTP/2 violation, or bytes that are not HTTP at all.")
        .cause("malformed or hostile request",
            "The client sends both Content-Length and Transfer-Encoding, invalid header characters, or a request "
                + "line the parser refuses; scanners and smuggling attempts look like this.",
            "Fix the client; if it is an attack, nothing to do: rejecting it is the point.",
            "response_code_details of the access-log line (http1.codec_error, "
                + "http1.content_length_and_chunked_not_allowed, http1.invalid_characters, ...)")
        .cause("headers above the limit",
            "Large cookies or tokens push the request headers over the size or count limit, which answers 431.",
            "Trim the headers, or raise the listener's max_request_headers_kb / max_headers_count if they are "
                + "legitimate.",
            "response_code 431; response_code_details http1.headers_too_large or http1.too_many_headers",
            "`meshfed proxy-config <gateway> listeners`: the HTTP connection manager's limits")
        .cause("wrong protocol on the port",
            "TLS sent to a plaintext port, plaintext HTTP sent to a TLS port, or a non-HTTP client on an HTTP "
                + "listener.",
            "Use the scheme and port the Gateway server declares.",
            "access-log field protocol and the listener (downstream_local_address)")
        .build();
  }

  private static FlagExplanation si() {
    return FlagExplanation.builder("SI", "StreamIdleTimeout")
        .status("408 (504 once the request has all arrived); a reset if the response had started")
        .what("No byte moved in either direction on the stream for the stream idle timeout, so the gateway ended "
            + "it. A request still sending its headers is timed from its first byte.")
        .cause("quiet long-lived stream",
            "Streaming, long polling or WebSocket traffic goes silent longer than the idle timeout.",
            "Send heartbeats on long-lived streams, or raise stream_idle_timeout for them.",
            "access-log duration is at least the listener's stream_idle_timeout",
            "`meshfed proxy-config <gateway> listeners`: stream_idle_timeout")
        .cause("slow client upload or stalled backend",
            "The client sends its headers or body very slowly, or stops (408); or the backend does not answer the "
                + "whole request (504), or stops mid-response (a reset).",
            "Find the stalled side: a 504 or a started response means the backend did; a 408 means the request "
                + "had not all been read, because the client stalled or because the gateway was holding the "
                + "body while an authorizer, a JWKS fetch or an upstream connection kept it waiting.",
            "access-log fields bytes_received, bytes_sent and upstream_service_time")
        .build();
  }

  static FlagExplanation noFlag() {
    return FlagExplanation.builder("-", "no response flag").status("whatever the upstream sent")
        .what("The gateway did not generate this response: it forwarded what the upstream (the application, or "
            + "the next gateway) answered (response_code_details: via_upstream). A 403 without a flag is the "
            + "exception: an AuthorizationPolicy (RBAC) denial, named in response_code_details.")
        .cause("the application answered with this status",
            "The application itself returned the error; the gateways only carried it.",
            "Read the application's log for the request's x_request_id.",
            "response_code_details via_upstream; upstream_host is the application's pod")
        .cause("a later hop generated the failure",
            "The next gateway (for example the remote cluster's east-west gateway) produced the error with its own "
                + "flag, and this gateway forwarded it.",
            "Explain the request id across gateways: `meshfed explain <x-request-id> --from <file>` shows every "
                + "hop and the one where the failure began.",
            "upstream_host is another gateway (:15443) and the response carries an x-meshfed-flags header from it")
        .cause("AuthorizationPolicy denial",
            "A 403 with response_code_details rbac_access_denied_matched_policy[...] comes from the gateway's "
                + "RBAC filter.",
            "See `meshfed explain rbac_access_denied`.",
            "response_code 403 and response_code_details starting with rbac_access_denied")
        .build();
  }

  static FlagExplanation rbacDenied() {
    return FlagExplanation.builder(RBAC_DENIED, "AuthorizationPolicy denial (RBAC)").status("403")
        .what("The gateway's RBAC filter (AuthorizationPolicy) denied the request. As in Envoy the response flag is "
            + "-; the matched policy travels in response_code_details "
            + "(rbac_access_denied_matched_policy[<policy>], or [none] when ALLOW policies exist but none "
            + "matched) and in the x-meshfed-details response header.")
        .cause("a DENY policy matched",
            "An AuthorizationPolicy with action DENY matched the request (DENY is evaluated before ALLOW).",
            "Narrow the DENY policy, or accept the denial if it is intended.",
            "the policy named in response_code_details; `kubectl get authorizationpolicy -A`")
        .cause("no ALLOW policy matched",
            "ALLOW policies select this workload, so anything they do not allow is denied "
                + "(rbac_access_denied_matched_policy[none]).",
            "Add a rule that allows this caller, path or method.",
            "response_code_details ends in [none]; compare source_principal, method and path with the rules")
        .cause("the caller's identity is not the expected one",
            "The policy names principals of one trust domain, but the caller comes from another cluster whose "
                + "trust domain is an alias, or it arrives through a gateway and carries the gateway's identity.",
            "Use principals with the right trust domain (or list trustDomainAliases), or authorize on the "
                + "original caller's request principal (JWT) when a gateway is in between.",
            "access-log field source_principal of the denied request")
        .build();
  }
}
