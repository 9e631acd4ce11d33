package io.meshfed.control.client.flags;

import java.util.List;

/**
 * The explanations of the flags a gateway sets when the upstream side fails: UH, UF, UO, URX, UT, LR, UR, UC, UPE,
 * UMSDR, NC. Written after Envoy's access-log documentation ({@code %RESPONSE_FLAGS%}, {@code %RESPONSE_CODE_DETAILS%})
 * and Istio's "Traffic Management Problems" and 503 troubleshooting guidance.
 */
final class UpstreamExplanations {

  private UpstreamExplanations() {
  }

  static List<FlagExplanation> all() {
    return List.of(uh(), uf(), uo(), urx(), ut(), lr(), ur(), uc(), upe(), umsdr(), nc());
  }

  private static FlagExplanation uh() {
    return FlagExplanation.builder("UH", "NoHealthyUpstream").status("503")
        .what("The route chose a cluster, but the cluster had no endpoint the gateway may send to: none known, or "
            + "every one unhealthy, draining or ejected. The gateway answered 503 itself without trying any host "
            + "(response_code_details: no_healthy_upstream).")
        .cause("no ready endpoints",
            "The service has no ready pods: scaled to zero, crash-looping, or failing its readiness probe, so the "
                + "control plane sends an empty (or all-UNHEALTHY) endpoint list.",
            "Bring pods up or fix their readiness probe; for a service that lives in another cluster, check that "
                + "cluster exports it (ServiceExport) and has ready pods there.",
            "`meshfed proxy-config <gateway> endpoints`: the cluster (access-log field upstream_cluster) has no "
                + "endpoint, or none HEALTHY",
            "`kubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<service>` in every cluster that "
                + "should serve it")
        .cause("start-up race",
            "The gateway (or its control plane) has just started: it holds the cluster but not yet its endpoints, "
                + "or the remote cluster's endpoints have not arrived through the federation yet.",
            "Send traffic only to ready gateways: the load balancer or Service must use the readiness check on "
                + ":15021/healthz/ready, which stays 503 until config is accepted. If the control plane started "
                + "recently, wait for its federation sync and check its log for remote clusters that fail.",
            "the failures stop within seconds of the gateway's or control plane's start (access-log start_time "
                + "against the gateway's uptime in :15000/server_info)",
            "`meshfed proxy-status`: the gateway is NOT SENT or STALE for endpoints")
        .cause("subset selects no pods",
            "A DestinationRule subset's labels match no pod (a typo in `version: v3`, or the pods lack the label), "
                + "so the subset's cluster (outbound|<port>|<subset>|<host>) is empty.",
            "Correct the subset's labels or the pods' labels.",
            "`meshfed analyze`: reports subsets that are undefined or select no pods",
            "upstream_cluster names a subset whose `meshfed proxy-config <gateway> endpoints` entry is empty")
        .cause("outlier detection ejected every host",
            "Consecutive 5xx or gateway errors ejected the hosts one by one until none was left (and the panic "
                + "threshold did not apply).",
            "Fix the failing backend first; then keep maxEjectionPercent below 100 so some hosts always stay, and "
                + "set minHealthPercent so the gateway falls back to all hosts in panic.",
            "`curl -s localhost:15000/clusters | grep failed_outlier_check` on the gateway",
            "istio_requests_total{response_code=~\"5..\"} for the destination rose just before the UH responses")
        .cause("remote cluster withdrawn",
            "The only endpoints were in another cluster whose federation lease expired (that cluster is down or "
                + "partitioned from this one), so its endpoints were withdrawn after the lease grace.",
            "Restore the partitioned cluster or its control plane; give the service endpoints in more than one "
                + "cluster and locality failover so a lost cluster is survivable.",
            "`meshfed proxy-status` across clusters: the remote cluster's control plane is missing or STALE",
            "the control plane's log names the cluster whose lease expired")
        .build();
  }

  private static FlagExplanation uf() {
    return FlagExplanation.builder("UF", "UpstreamConnectionFailure").status("503")
        .what("The gateway picked an upstream host but could not open a connection to it: the TCP connect was "
            + "refused or timed out, or the TLS handshake failed. No byte of the request reached the application "
            + "(response_code_details: upstream_reset_before_response_started{connection_failure}).")
        .cause("mTLS mode mismatch",
            "One side speaks Istio mTLS and the other does not: the gateway sends mTLS to a plaintext port, or "
                + "plaintext to a workload whose PeerAuthentication is STRICT, or a DestinationRule's tls.mode "
                + "contradicts the PeerAuthentication (ISTIO_MUTUAL vs DISABLE).",
            "Make the DestinationRule's tls.mode agree with the destination's PeerAuthentication (or drop tls from "
                + "the DestinationRule and let automatic mTLS choose).",
            "access-log field upstream_transport_failure_reason (a TLS error such as WRONG_VERSION_NUMBER, or a "
                + "reset during the handshake)",
            "`meshfed analyze`: DestinationRule TLS mode contradicting PeerAuthentication",
            "`meshfed proxy-config <gateway> clusters`: the cluster's transport socket (tlsMode-istio or plain)")
        .cause("trust mismatch between clusters",
            "The peer's certificate does not chain to a root this gateway trusts, or its SPIFFE trust domain is "
                + "neither the mesh's nor an alias, so the mTLS handshake to a remote east-west gateway fails.",
            "Root every cluster in the same CA (Vault) or add the other root to the bundle during rotation; list "
                + "the other trust domain in trustDomainAliases.",
            "upstream_transport_failure_reason mentions CERTIFICATE_VERIFY_FAILED or a SAN mismatch",
            "`meshfed proxy-config <gateway> secrets`: ROOTCA holds the roots this gateway trusts")
        .cause("rolling update without drain",
            "A pod was terminated and stopped listening before the gateway learned it was gone, so connects to "
                + "its address are refused until the endpoint update arrives.",
            "Let pods keep serving while they leave the endpoints: a preStop sleep longer than endpoint "
                + "propagation and a terminationGracePeriodSeconds that covers it; keep Istio's default retry on "
                + "connect-failure.",
            "failures cluster around deployments; upstream_host is an address no longer listed by `kubectl get "
                + "endpointslices`",
            "istio_requests_total{response_flags=\"UF\"} rises during rollouts only")
        .cause("nothing listens on the port",
            "The Service's targetPort is wrong, the application listens on another port, or it binds only to "
                + "127.0.0.1, so every connect to the pod's address is refused.",
            "Correct the Service targetPort or make the application listen on 0.0.0.0 at that port.",
            "every request to that upstream_host fails with UF and a short duration",
            "from a pod in the same cluster: `curl -v http://<pod ip>:<port>/`")
        .cause("network path blocked",
            "A NetworkPolicy, firewall or security group drops the connection (between the gateway and the pod, "
                + "or to a remote cluster's :15443), so the connect times out.",
            "Allow the gateway's traffic to the pods and port 15443 between clusters' gateways.",
            "duration close to the cluster's connect_timeout (10 s by default) in the access log",
            "`meshfed proxy-config <gateway> clusters`: connect_timeout of the cluster")
        .build();
  }

  private static FlagExplanation uo() {
    return FlagExplanation.builder("UO", "UpstreamOverflow").status("503")
        .what("A circuit breaker of the upstream cluster was full: too many connections, pending requests, active "
            + "requests or retries (DestinationRule connectionPool). The gateway rejected the request at once "
            + "without contacting the upstream.")
        .cause("pool limits too low for the traffic",
            "DestinationRule connectionPool limits (tcp.maxConnections, http.http1MaxPendingRequests, "
                + "http.http2MaxRequests) are below the concurrency the traffic needs.",
            "Raise the limits to the concurrency you expect (requests per second × latency), or scale the "
                + "backend; keep limits as protection, not as a throttle.",
            "`meshfed proxy-config <gateway> clusters`: circuit_breakers thresholds of the cluster",
            "istio_requests_total{response_flags=\"UO\"} grows with traffic; the access-log duration of UO "
                + "responses is about 0 ms")
        .cause("slow upstream holds the pool",
            "The backend got slower, each request holds its connection longer, and the same traffic now needs "
                + "more concurrency than the pool allows.",
            "Fix the backend's latency; a route timeout frees the pool from stuck requests.",
            "istio_request_duration_milliseconds of successful requests rose before the UO responses started")
        .cause("retry storm",
            "Retries multiply the load on a failing backend until the retry budget (maxRetries) or the request "
                + "limit overflows.",
            "Keep retries few (Istio's default is 2) and only on idempotent failures; fix the failure being "
                + "retried.",
            "access-log field upstream_request_attempt_count above 1 on the requests around the UO responses")
        .build();
  }

  private static FlagExplanation urx() {
    return FlagExplanation.builder("URX", "UpstreamRetryLimitExceeded").status("503, or the last attempt's status")
        .what("The route's retry policy allowed more attempts, every attempt failed, and the retries ran out; the "
            + "response is the last attempt's failure. For TCP it means the maximum connect attempts were reached. "
            + "The flag next to URX (UF, UC, UT, UH, ...) says why the attempts failed.")
        .cause("the failure behind the retries persists",
            "Retrying cannot help when every attempt meets the same cause: the companion flag names it.",
            "Explain the companion flag (`meshfed explain UF`, ...) and fix that cause.",
            "the other flags in response_flags of the same access-log line",
            "access-log field upstream_request_attempt_count: how many attempts were made")
        .cause("every endpoint is failing",
            "A bad release or an outage of the backend fails all hosts, so each retry lands on another failing "
                + "host.",
            "Roll back or repair the backend; add endpoints in another locality or cluster for failover.",
            "istio_requests_total{destination_service=\"<host>\", response_code=~\"5..\"} across all of its "
                + "workloads")
        .cause("retry budget made useless by the timeouts",
            "attempts × perTryTimeout exceeds the route's timeout (or perTryTimeout is shorter than the backend's "
                + "normal latency), so the retries cannot succeed in time.",
            "Make perTryTimeout longer than the backend's normal p99 and timeout ≥ attempts × perTryTimeout.",
            "`meshfed analyze`: retry budgets the total timeout makes useless",
            "`meshfed proxy-config <gateway> routes`: retry_policy and timeout of the route (route_name)")
        .build();
  }

  private static FlagExplanation ut() {
    return FlagExplanation.builder("UT", "UpstreamRequestTimeout").status("504")
        .what("The upstream did not answer within the route's timeout (or within the last per-try timeout); the "
            + "gateway gave up and answered 504 (response_code_details: upstream_response_timeout or "
            + "upstream_per_try_timeout).")
        .cause("backend slower than the route timeout",
            "The application takes longer than the VirtualService timeout for some requests.",
            "Make the backend faster or raise the VirtualService http[].timeout for that route.",
            "access-log duration equals the route's timeout",
            "`meshfed proxy-config <gateway> routes`: the route's timeout",
            "istio_request_duration_milliseconds of the destination: its p99 near the timeout")
        .cause("per-try timeout too short",
            "retries.perTryTimeout is below the backend's normal latency, so attempts time out that would have "
                + "succeeded.",
            "Set perTryTimeout above the backend's p99.",
            "upstream_request_attempt_count above 1 and response_code_details upstream_per_try_timeout")
        .cause("failover to a distant cluster",
            "Local endpoints were unavailable and the request went to another region through its east-west "
                + "gateway; the added round trips exceed the timeout.",
            "Fix the local endpoints, or size the timeout for the failover path.",
            "upstream_host is a remote east-west gateway (:15443) and upstream_cluster has failover priorities in "
                + "`meshfed proxy-config <gateway> endpoints`")
        .build();
  }

  private static FlagExplanation lr() {
    return FlagExplanation.builder("LR", "LocalReset").status("503")
        .what("The gateway reset the stream itself, not the upstream: it was closing connections at the end of a "
            + "drain, a request body outgrew the buffer a retry needs, or the gateway hit an internal limit.")
        .cause("gateway drain deadline",
            "The gateway was shutting down (SIGTERM or an admin drain) and closed the requests still running "
                + "when its drain deadline passed.",
            "Give the gateway a drainTimeout (and the pod a terminationGracePeriodSeconds) longer than your "
                + "longest requests; stop sending to a gateway that reports not ready.",
            "the gateway's log reports a drain with requests force-closed; :15021/healthz/ready said draining at "
                + "that time",
            "response_code_details of the access-log line")
        .cause("request too large to retry",
            "A retry needs the request body buffered; a body larger than the buffer cap cannot be replayed and "
                + "the stream is reset (response_code_details: request_payload_exceeded_retry_buffer_limit).",
            "Do not retry large uploads, or raise the buffer cap if the bodies are legitimately that large.",
            "bytes_received of the access-log line against the retry buffer cap")
        .build();
  }

  private static FlagExplanation ur() {
    return FlagExplanation.builder("UR", "UpstreamRemoteReset").status("503")
        .what("The upstream reset the stream (an HTTP/2 RST_STREAM or a TCP reset) after the connection was "
            + "established and before the response completed.")
        .cause("application crashed or restarted",
            "The process serving the request died (OOMKilled, panic) or restarted mid-request.",
            "Fix the crash; give the container the memory it needs.",
            "`kubectl get pods` RESTARTS of the pod behind upstream_host; `kubectl describe pod` for OOMKilled")
        .cause("protocol mismatch",
            "The port is declared HTTP/2 or gRPC (port name `grpc-`/`http2-`, appProtocol) but the application "
                + "speaks HTTP/1.1 (or the other way), and it resets the stream it cannot parse.",
            "Name the Service port for the protocol the application speaks (`http-`, `http2-`, `grpc-`) or set "
                + "appProtocol.",
            "`meshfed proxy-config <gateway> clusters`: explicit_http_config of the cluster",
            "`meshfed analyze`: port names that defeat protocol detection")
        .cause("upstream stream limits",
            "The upstream refuses new streams (HTTP/2 max concurrent streams, a GOAWAY during its own shutdown).",
            "Let the upstream drain gracefully; keep Istio's default retry on refused-stream.",
            "failures cluster at the upstream's deployments or under peak concurrency")
        .build();
  }

  private static FlagExplanation uc() {
    return FlagExplanation.builder("UC", "UpstreamConnectionTermination").status("503")
        .what("The connection to the upstream closed while this request was on it, before a response arrived "
            + "(response_code_details: upstream_reset_before_response_started{connection_termination}).")
        .cause("keep-alive mismatch",
            "The upstream's idle (keep-alive) timeout is shorter than the gateway's: it closes a pooled connection "
                + "just as the gateway sends the next request on it. The classic intermittent 503 UC, most visible "
                + "at low traffic (Node.js closes idle connections after 5 s, for example).",
            "Set DestinationRule trafficPolicy.connectionPool.http.idleTimeout below the application's keep-alive "
                + "timeout (or raise the application's), and allow a retry on reset for idempotent requests.",
            "sporadic failures at low traffic with a short access-log duration (a few ms)",
            "`meshfed proxy-config <gateway> clusters`: common_http_protocol_options.idle_timeout of the cluster, "
                + "compared with the application server's keep-alive timeout")
        .cause("rolling update without drain",
            "The pod exited and closed its connections while requests were still on them.",
            "Make the application finish in-flight requests on SIGTERM; add a preStop sleep and enough "
                + "terminationGracePeriodSeconds.",
            "failures cluster at deployments of the destination (istio_requests_total{response_flags=\"UC\"} "
                + "against rollout times)")
        .cause("application crashed mid-request",
            "The process died (OOMKilled, panic) and its connections closed with it.",
            "Fix the crash; give the container the memory it needs.",
            "`kubectl get pods` RESTARTS of the pod behind upstream_host")
        .cause("upstream caps requests per connection",
            "The upstream server closes a connection after a fixed number of requests and races the gateway's "
                + "next request on it.",
            "Set connectionPool.http.maxRequestsPerConnection below the server's cap.",
            "`meshfed proxy-config <gateway> clusters`: max_requests_per_connection of the cluster")
        .build();
  }

  private static FlagExplanation upe() {
    return FlagExplanation.builder("UPE", "UpstreamProtocolError").status("502")
        .what("The upstream's response broke the HTTP protocol: malformed headers, an HTTP/1.1 answer on an HTTP/2 "
            + "connection, TLS bytes on a plaintext port (response_code_details: "
            + "upstream_reset_before_response_started{protocol_error}).")
        .cause("wrong protocol declared for the port",
            "The Service port says HTTP/2 or gRPC but the application answers HTTP/1.1, or it serves TLS itself "
                + "on a port declared plaintext HTTP.",
            "Name the Service port (`http-`, `http2-`, `grpc-`, `https-`, `tcp-`) or set appProtocol to what the "
                + "application speaks.",
            "`meshfed analyze`: port names that defeat protocol detection",
            "`meshfed proxy-config <gateway> clusters`: explicit_http_config of the cluster")
        .cause("invalid response headers",
            "The application sends header names or values HTTP forbids (bare LF, invalid characters, duplicate "
                + "Content-Length).",
            "Fix the application's response headers.",
            "`curl -v` the pod directly and read the raw response")
        .build();
  }

  private static FlagExplanation umsdr() {
    return FlagExplanation.builder("UMSDR", "UpstreamMaxStreamDurationReached").status("408")
        .what("The upstream request lived longer than its maximum stream duration, so the gateway ended it.")
        .cause("long-lived stream on a route with a maximum duration",
            "gRPC streaming, WebSocket or long polling runs longer than the route's maximum stream duration (or "
                + "the gRPC deadline the route honours).",
            "Raise or remove the maximum duration on routes that carry long-lived streams.",
            "access-log duration equals the configured maximum",
            "`meshfed proxy-config <gateway> routes`: max_stream_duration of the route (route_name)")
        .build();
  }

  private static FlagExplanation nc() {
    return FlagExplanation.builder("NC", "NoClusterFound").status("503")
        .what("A route (or a TCP proxy) matched, but the cluster it names is not in the gateway's configuration, so "
            + "the gateway answered 503 itself (response_code_details: cluster_not_found).")
        .cause("route pushed before its cluster",
            "The gateway holds the route but not (yet) the cluster it points to: a start-up race, or the control "
                + "plane could not build the cluster (an unknown host or subset) and still routed to it.",
            "Check the control plane's translation problems (`meshfed analyze`, its log) for the destination; "
                + "wait for the gateway to be SYNCED.",
            "`meshfed proxy-config <gateway> clusters` lacks the upstream_cluster the access log names",
            "`meshfed proxy-status`: CDS of the gateway is STALE or NOT SENT")
        .cause("the cluster was NACKed",
            "The gateway rejected the cluster (an unsupported field) and kept serving without it.",
            "Fix what the NACK names; the gateway's /config_dump shows the error_state.",
            "`meshfed proxy-status`: CDS STALE with the gateway's NACK message")
        .build();
  }
}
