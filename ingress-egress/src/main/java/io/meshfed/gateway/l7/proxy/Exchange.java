package io.meshfed.gateway.l7.proxy;

import io.meshfed.control.client.accesslog.RequestIds;
import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.listener.ConnectionContext;
import io.meshfed.gateway.l7.listener.HttpFilterSpec;
import io.meshfed.gateway.l7.listener.HttpManagerSpec;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.routing.CorsSpec;
import io.meshfed.gateway.l7.routing.FilterOverrides;
import io.meshfed.gateway.l7.routing.HeaderMutations;
import io.meshfed.gateway.l7.routing.RetrySpec;
import io.meshfed.gateway.l7.routing.RouteAction;
import io.meshfed.gateway.l7.routing.RouteSpec;
import io.meshfed.gateway.l7.routing.RouteTable;
import io.meshfed.gateway.l7.routing.VirtualHostSpec;
import io.meshfed.gateway.l7.routing.WeightedCluster;
import io.meshfed.gateway.l7.security.AuthzRequest;
import io.meshfed.gateway.l7.upstream.ClusterPools;
import io.meshfed.gateway.l7.upstream.UpstreamFailure;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request's life in the proxy, Envoy's HTTP connection manager and router in one: hygiene checks, route
 * selection, the HTTP filters in order (jwt_authn, rbac, ext_authz, fault, cors), then forwarding with retries,
 * timeouts and mirrors, or a local reply. Ends exactly once, reporting its {@link RequestOutcome}.
 *
 * <p>Event-loop confined: the downstream stream, the upstream connections and every timer of an exchange run on the
 * same event loop, so nothing here is locked. The snapshot and cluster runtimes are the ones current when the request
 * arrived, for its whole life.
 */
final class Exchange implements AuthzRequest {

  // Header names as AsciiString constants: their hash is computed once, not on every lookup.
  private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
      HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING,
      HttpHeaderNames.TRAILER, AsciiString.cached("x-forwarded-client-cert")};
  private static final AsciiString STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
  private static final AsciiString SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
  private static final AsciiString PATH = HttpConversionUtil.ExtensionHeaderNames.PATH.text();
  private static final AsciiString STREAM_WEIGHT = HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text();
  private static final AsciiString STREAM_DEPENDENCY =
      HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text();
  private static final AsciiString FORWARDED_CLIENT_CERT = AsciiString.cached("x-forwarded-client-cert");
  private static final AsciiString FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
  private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");

  final ProxyContext proxy;
  final HttpStreamHandler downstream;
  final ConnectionContext connection;
  final HttpManagerSpec http;
  final EngineState state;
  final HttpRequest request;
  final EventLoop loop;
  private final boolean expectBody;
  private HttpContent endOfBody;
  private HttpResponse heldHead;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private final String method;
  private final String originalTarget;
  private String originalAuthority = "";
  private String userAgent = "";
  private boolean keepAlive;
  RequestLine line;
  boolean grpc;
  private boolean websocket;
  private String requestId = "";
  private String forwardedFor = "";
  private InetAddress remote;
  private Map<String, Map<String, Object>> metadata;

  // routing
  private RouteTable table;
  private VirtualHostSpec vhost;
  RouteSpec route;
  private FilterOverrides overrides = FilterOverrides.NONE;
  private List<HttpFilterSpec> filters = List.of();
  private int filterIndex;
  private WeightedCluster target;
  ClusterRuntime cluster;
  ClusterPools pools;
  RetrySpec retry;
  private Long hash;
  private String generatedCookie;

  // request body
  RequestBody body;
  private boolean requestComplete;
  private long requestBytes;

  // upstream
  private Attempt attempt;
  int attempts;
  private Set<Host> tried;
  private boolean retrySlot;
  private long globalDeadline;
  private ScheduledFuture<?> backoffTimer;
  private ScheduledFuture<?> faultTimer;
  private long idleNanos;
  private long lastActivity;
  private List<Mirror> mirrors;
  private String upstreamHost = "";
  private long upstreamServiceNanos = -1;
  private boolean forwarding;

  // response
  private boolean responseStarted;
  private int responseCode;
  private long bytesSent;
  private String grpcStatus = "";
  final EnumSet<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private String details = "";
  private CorsSpec cors;
  private String corsOrigin;
  private boolean closeAfter;
  private boolean flushScheduled;
  private boolean done;

  Exchange(ProxyContext proxy, HttpStreamHandler downstream, HttpRequest request, boolean expectBody) {
    this.proxy = proxy;
    this.downstream = downstream;
    this.connection = downstream.connection();
    this.http = connection.chain().http();
    this.state = proxy.state();
    this.request = request;
    this.loop = downstream.channel().eventLoop();
    this.expectBody = expectBody;
    this.method = request.method().name();
    this.originalTarget = request.uri();
  }

  boolean requestComplete() {
    return requestComplete;
  }

  boolean expectBody() {
    return expectBody;
  }

  boolean done() {
    return done;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Start: hygiene, identity headers, route selection.

  /**
   * Starts the exchange; {@code endOfBody}, when the head arrived with the end of the request (a bodiless HTTP/1.1
   * request, HTTP/2 HEADERS with END_STREAM), joins the body before any filter runs, so the request is complete from
   * the start.
   */
  void start(HttpContent endOfBody) {
    this.endOfBody = endOfBody;
    try {
      admit();
    } finally {
      if (this.endOfBody != null) {
        this.endOfBody.release();
        this.endOfBody = null;
      }
    }
  }

  private void admit() {
    HttpHeaders headers = request.headers();
    if (request.decoderResult().isFailure()) {
      decoderFailure(request.decoderResult().cause());
      return;
    }
    String host = headers.get(HttpHeaderNames.HOST);
    originalAuthority = host == null ? "" : host;
    userAgent = headers.get(HttpHeaderNames.USER_AGENT, "");
    keepAlive = HttpUtil.isKeepAlive(request);
    if (headers.size() > http.maxHeadersCount()) {
      localReply(431, "Request Header Fields Too Large", "http1.too_many_headers", ResponseFlag.DPE);
      closeAfter = true;
      return;
    }
    if (!downstream.http2() && !hygieneHttp1(headers, host)) {
      return;
    }
    long limit = proxy.limits().maxRequestBodyBytes();
    if (limit > 0 && HttpUtil.getContentLength(request, -1L) > limit) {
      closeAfter = true;
      localReply(413, "Payload Too Large", "request_payload_too_large", ResponseFlag.DPE);
      return;
    }
    String scheme = connection.tls() ? "https" : "http";
    line = RequestLine.parse(method, request.uri(), host, scheme, headers);
    if (line == null || line.authority() == null || line.authority().isEmpty()) {
      localReply(400, "Bad Request", line == null ? "http.invalid_path" : "http.missing_host_header",
          ResponseFlag.DPE);
      closeAfter = !downstream.http2();
      return;
    }
    String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
    grpc = contentType != null && contentType.startsWith("application/grpc");
    websocket = !downstream.http2() && headers.containsValue(HttpHeaderNames.UPGRADE, "websocket", true)
        && headers.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
    if (!downstream.http2() && HttpUtil.is100ContinueExpected(request)) {
      // Envoy answers 100-continue itself and does not forward the expectation.
      headers.remove(HttpHeaderNames.EXPECT);
      downstream.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      downstream.flush();
    }
    sanitizeRequest(headers);
    if (websocket && !http.websocket()) {
      localReply(403, "Upgrade Forbidden", "upgrade_failed", ResponseFlag.DPE);
      closeAfter = true;
      return;
    }
    selectRoute();
    startIdleTimer();
    boolean replay = route != null && route.action() instanceof RouteAction.Forward forward
        && ((forward.retry() != null && forward.retry().numRetries() > 0) || !forward.mirrors().isEmpty());
    body = new RequestBody(replay, proxy.limits().retryBufferBytes());
    if (endOfBody != null) {
      HttpContent end = endOfBody;
      endOfBody = null;
      onRequestBody(end);
      if (done) {
        return;
      }
    }
    filters = http.filters();
    next();
  }

  private boolean hygieneHttp1(HttpHeaders headers, String host) {
    boolean http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
    if (host == null && http11) {
      closeAfter = true;
      localReply(400, "Bad Request", "http1.missing_host_header", ResponseFlag.DPE);
      return false;
    }
    if (host != null && moreThanOne(headers, HttpHeaderNames.HOST)) {
      closeAfter = true;
      localReply(400, "Bad Request", "http1.multiple_host_headers", ResponseFlag.DPE);
      return false;
    }
    List<String> codings = headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
        ? headers.getAll(HttpHeaderNames.TRANSFER_ENCODING) : List.of();
    if (!codings.isEmpty()) {
      closeAfter = true;
      if (!http11) {
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is a framing fault.
        localReply(400, "Bad Request", "http1.transfer_encoding_in_http10", ResponseFlag.DPE);
        return false;
      }
      if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
        // Only "chunked" alone is understood; anything else could be read differently upstream (smuggling).
        localReply(501, "Not Implemented", "http1.invalid_transfer_encoding", ResponseFlag.DPE);
        return false;
      }
      closeAfter = false;
    }
    return true;
  }

  /** Whether {@code name} occurs twice or more, without copying its values into a list (this runs per request). */
  private static boolean moreThanOne(HttpHeaders headers, AsciiString name) {
    Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
    if (!values.hasNext()) {
      return false;
    }
    values.next();
    return values.hasNext();
  }

  private void decoderFailure(Throwable cause) {
    closeAfter = true;
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException) {
      localReply(431, "Request Header Fields Too Large", "http1.headers_too_large", ResponseFlag.DPE);
    } else if (cause instanceof io.meshfed.gateway.l7.listener.SmugglingRefused) {
      localReply(400, "Bad Request", "http1.content_length_and_chunked_not_allowed", ResponseFlag.DPE);
    } else {
      localReply(400, "Bad Request", "http1.codec_error", ResponseFlag.DPE);
    }
  }

  private void sanitizeRequest(HttpHeaders headers) {
    headers.remove(STREAM_ID);
    headers.remove(SCHEME);
    headers.remove(PATH);
    headers.remove(STREAM_WEIGHT);
    headers.remove(STREAM_DEPENDENCY);
    // Envoy's SANITIZE: a client may not hand the upstream a client-certificate header.
    headers.remove(FORWARDED_CLIENT_CERT);
    InetAddress peerAddress = connection.remote().getAddress();
    String peerIp = connection.remoteIp();
    String existing = headers.get(FORWARDED_FOR);
    if (http.useRemoteAddress()) {
      // An edge proxy: headers only Envoy may set are not taken from clients.
      List<String> internal = null;
      for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
        CharSequence name = it.next().getKey();
        if (AsciiString.regionMatches(name, true, 0, "x-envoy-", 0, 8)
            || AsciiString.regionMatches(name, true, 0, "x-meshfed-", 0, 10)) {
          if (internal == null) {
            internal = new ArrayList<>(2);
          }
          internal.add(name.toString());
        }
      }
      if (internal != null) {
        for (String name : internal) {
          headers.remove(name);
        }
      }
      remote = trustedClient(existing, http.xffNumTrustedHops(), peerAddress);
      forwardedFor = existing == null ? peerIp : existing + "," + peerIp;
      headers.set(FORWARDED_FOR, forwardedFor);
      headers.set(FORWARDED_PROTO, line.scheme());
    } else {
      remote = trustedClient(existing, http.xffNumTrustedHops(), peerAddress);
      forwardedFor = existing == null ? "" : existing;
      if (!headers.contains(FORWARDED_PROTO)) {
        headers.set(FORWARDED_PROTO, line.scheme());
      }
    }
    String id = headers.get(REQUEST_ID);
    if (id == null || id.isEmpty() || (http.useRemoteAddress() && !http.preserveExternalRequestId())) {
      id = RequestIds.next();
      headers.set(REQUEST_ID, id);
    }
    requestId = id;
  }

  /** The client per x-forwarded-for: with N trusted hops, the Nth address from the right, else the peer. */
  private static InetAddress trustedClient(String xff, int trustedHops, InetAddress peer) {
    if (xff == null || trustedHops <= 0) {
      return peer;
    }
    String[] hops = xff.split(",");
    if (hops.length < trustedHops) {
      return peer;
    }
    String candidate = hops[hops.length - trustedHops].trim();
    try {
      return io.netty.util.NetUtil.isValidIpV4Address(candidate) || io.netty.util.NetUtil.isValidIpV6Address(
          candidate) ? InetAddress.getByName(candidate) : peer;
    } catch (java.net.UnknownHostException e) {
      return peer;
    }
  }

  /**
   * Envoy's stream idle timeout: the route's {@code idle_timeout}, else the connection manager's
   * {@code stream_idle_timeout} (5 min). The stream's deadline timer checks it; activity only writes a timestamp.
   */
  private void startIdleTimer() {
    Duration idle = streamIdleTimeout();
    if (idle == null) {
      return;
    }
    idleNanos = idle.toNanos();
    lastActivity = System.nanoTime();
    downstream.deadlineBy(lastActivity + idleNanos);
  }

  /**
   * The stream idle timeout that times this exchange's stream: the route's {@code idle_timeout}, else the connection
   * manager's {@code stream_idle_timeout}; null when neither applies. Also bounds, on HTTP/2, the wait of the
   * response's end for the client's flow-control window once the exchange is over ({@link HttpStreamHandler}).
   */
  Duration streamIdleTimeout() {
    return route != null && route.action() instanceof RouteAction.Forward forward && forward.idleTimeout() != null
        ? forward.idleTimeout() : http.streamIdleTimeout();
  }

  /** The stream's deadline timer fired: times the exchange out, or asks to be checked again at the next deadline. */
  void checkDeadlines() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    if (globalDeadline != 0 && now - globalDeadline >= 0) {
      globalTimeout();
      return;
    }
    if (idleNanos > 0 && now - (lastActivity + idleNanos) >= 0) {
      idleTimeout();
      return;
    }
    if (idleNanos > 0) {
      downstream.deadlineBy(lastActivity + idleNanos);
    }
    if (globalDeadline != 0) {
      downstream.deadlineBy(globalDeadline);
    }
  }

  private void idleTimeout() {
    idleNanos = 0;
    flags.add(ResponseFlag.SI);
    if (attempt != null) {
      attempt.cancel();
      attempt = null;
    }
    if (responseStarted) {
      details = "stream_idle_timeout";
      resetDownstream();
    } else if (requestComplete) {
      // Envoy's choice (maybeRequestTimeoutCode): the whole request arrived and the upstream is the one silent, so
      // 504, and the connection stays usable.
      localReply(504, "stream timeout", "stream_idle_timeout");
    } else {
      // The rest of the request will not be read: the HTTP/1.1 connection closes after the 408, an HTTP/2 stream is
      // reset with NO_ERROR after it (as Envoy ends a stream whose request did not complete).
      closeAfter = true;
      localReply(408, "stream timeout", "stream_idle_timeout");
    }
  }

  private void selectRoute() {
    table = http.inlineRoutes() != null ? http.inlineRoutes()
        : state.snapshot().routeTables().get(http.routeConfigName());
    if (table == null) {
      return;
    }
    vhost = table.index().find(line.authority());
    if (vhost == null) {
      return;
    }
    // Envoy matches CONNECT only with a route's connect_matcher, which this engine does not take: CONNECT finds no
    // route (404, NR), as in Envoy without one, and so never reaches an upstream HTTP/1.1 connection as a tunnel.
    route = HttpMethod.CONNECT.equals(request.method()) ? null : vhost.route(line);
    overrides = route == null ? vhost.filters() : route.filters().over(vhost.filters());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The HTTP filters.

  /** Runs the next filters until one goes asynchronous, replies, or the router takes over. */
  void next() {
    while (!done && filterIndex < filters.size()) {
      HttpFilterSpec filter = filters.get(filterIndex++);
      boolean proceed;
      if (filter instanceof HttpFilterSpec.Jwt jwt) {
        proceed = JwtStep.run(this, jwt.spec());
      } else if (filter instanceof HttpFilterSpec.Rbac rbac) {
        proceed = rbac(rbac);
      } else if (filter instanceof HttpFilterSpec.ExtAuthz extAuthz) {
        proceed = ExtAuthzStep.run(this, extAuthz.spec());
      } else if (filter instanceof HttpFilterSpec.Fault fault) {
        proceed = fault(fault);
      } else if (filter instanceof HttpFilterSpec.Cors corsFilter) {
        proceed = cors(corsFilter);
      } else {
        router();
        return;
      }
      if (!proceed) {
        return;
      }
    }
  }

  /** Resumes the filter chain after an asynchronous step; any thread. */
  void resumeOnLoop() {
    if (loop.inEventLoop()) {
      if (!done) {
        downstream.resumeReading();
        next();
      }
    } else {
      loop.execute(this::resumeOnLoop);
    }
  }

  private boolean rbac(HttpFilterSpec.Rbac filter) {
    if (filter.shadow() != null) {
      var shadow = io.meshfed.gateway.l7.security.RbacEvaluator.evaluate(filter.shadow(), this);
      Map<String, Object> rbacMetadata = metadataNamespace("envoy.filters.http.rbac");
      if (!"none".equals(shadow.matchedPolicy())) {
        rbacMetadata.put(filter.shadowStatPrefix() + "shadow_effective_policy_id", shadow.matchedPolicy());
      }
      rbacMetadata.put(filter.shadowStatPrefix() + "shadow_engine_result", shadow.allowed() ? "allowed" : "denied");
    }
    if (filter.rules() == null) {
      return true;
    }
    var decision = io.meshfed.gateway.l7.security.RbacEvaluator.evaluate(filter.rules(), this);
    if (!decision.allowed()) {
      // Envoy: an RBAC denial is a 403 without a response flag; the policy travels in the details.
      localReply(403, "RBAC: access denied", "rbac_access_denied_matched_policy[" + decision.matchedPolicy() + "]");
      return false;
    }
    return true;
  }

  private boolean fault(HttpFilterSpec.Fault filter) {
    var fault = overrides.fault() != null ? overrides.fault() : filter.defaults();
    if (fault == null) {
      return true;
    }
    if (fault.delay() != null && fault.delayFraction().roll()) {
      flags.add(ResponseFlag.DI);
      downstream.pauseReading();
      faultTimer = loop.schedule(() -> {
        faultTimer = null;
        if (!done && faultAbort(fault)) {
          downstream.resumeReading();
          next();
        }
      }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
      return false;
    }
    return faultAbort(fault);
  }

  private boolean faultAbort(io.meshfed.gateway.l7.routing.FaultSpec fault) {
    if (!fault.aborts() || !fault.abortFraction().roll()) {
      return true;
    }
    flags.add(ResponseFlag.FI);
    if (fault.abortGrpcStatus() >= 0) {
      grpcReply(fault.abortGrpcStatus(), "fault filter abort", "fault_filter_abort");
    } else {
      localReply(fault.abortHttpStatus(), "fault filter abort", "fault_filter_abort");
    }
    return false;
  }

  private boolean cors(HttpFilterSpec.Cors filter) {
    CorsSpec policy = overrides.cors() != null ? overrides.cors() : filter.defaults();
    if (policy == null || !policy.enabled().roll()) {
      return true;
    }
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin == null) {
      return true;
    }
    boolean preflight = request.method().equals(HttpMethod.OPTIONS)
        && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    if (!policy.allows(origin)) {
      return true;
    }
    if (preflight) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      HttpHeaders headers = response.headers();
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      if (!policy.allowMethods().isEmpty()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, policy.allowMethods());
      }
      if (!policy.allowHeaders().isEmpty()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, policy.allowHeaders());
      }
      if (!policy.maxAge().isEmpty()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, policy.maxAge());
      }
      if (policy.allowCredentials()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      }
      if (policy.allowPrivateNetworkAccess()
          && "true".equals(request.headers().get("access-control-request-private-network"))) {
        headers.set("access-control-allow-private-network", "true");
      }
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      details = "cors_response";
      sendLocal(response);
      return false;
    }
    cors = policy;
    corsOrigin = origin;
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The router.

  private void router() {
    if (vhost != null && vhost.requireTls() != VirtualHostSpec.TlsRequirement.NONE && !connection.tls()) {
      // As an https_redirect: the scheme changes, so the plaintext port is dropped.
      redirect(301, Redirects.location(new RouteAction.Redirect("https", null, 0, null, null, null, null, 301,
          false), line, null), "https_redirect", null);
      return;
    }
    if (table == null || vhost == null || route == null) {
      flags.add(ResponseFlag.NR);
      localReply(404, "", "route_not_found");
      return;
    }
    RouteAction action = route.action();
    if (action instanceof RouteAction.Redirect redirect) {
      redirect(redirect.status(), Redirects.location(redirect, line, route.match()), "direct_response", route);
    } else if (action instanceof RouteAction.DirectResponse direct) {
      if (VirtualHostSpec.BLOCK_ALL.equals(vhost.name())) {
        // Egress REGISTRY_ONLY: the destination is not a registered ServiceEntry host.
        flags.add(ResponseFlag.NR);
        details = "registry_only_blocked";
      } else {
        details = "direct_response";
      }
      FullHttpResponse response = LocalReplies.build(downstream.channel().alloc(), direct.status(), direct.body(),
          "", EnumSet.noneOf(ResponseFlag.class), false, request.method().equals(HttpMethod.HEAD));
      response.headers().remove(HttpHeaderNames.SERVER);
      response.headers().remove(LocalReplies.DETAILS_HEADER);
      if (!flags.isEmpty()) {
        response.headers().set(LocalReplies.FLAGS_HEADER, ResponseFlag.render(flags));
        response.headers().set(LocalReplies.DETAILS_HEADER, details);
      }
      responseMutations(response.headers());
      sendLocal(response);
    } else {
      forward((RouteAction.Forward) action);
    }
  }

  private void redirect(int status, String location, String detail, RouteSpec mutating) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    response.headers().set(HttpHeaderNames.LOCATION, location);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    details = detail;
    if (mutating != null) {
      responseMutations(response.headers());
    }
    sendLocal(response);
  }

  private void forward(RouteAction.Forward action) {
    target = action.pick();
    cluster = state.clusters().get(target.name());
    if (cluster == null) {
      flags.add(ResponseFlag.NC);
      localReply(503, "", "cluster_not_found");
      return;
    }
    if (websocket && cluster.spec().http2()) {
      localReply(503, "WebSocket needs an HTTP/1.1 upstream", "websocket_over_http2_upstream_unsupported",
          ResponseFlag.UPE);
      return;
    }
    pools = proxy.upstreams().pools(loop, cluster);
    retry = action.retry();
    prepareUpstreamRequest(action);
    ClusterSpec.LbPolicy lb = cluster.spec().lbPolicy();
    if (lb == ClusterSpec.LbPolicy.RING_HASH || lb == ClusterSpec.LbPolicy.MAGLEV) {
      hash = Hashing.requestHash(this, action.hashPolicies());
    }
    if (!action.mirrors().isEmpty()) {
      startMirrors(action);
    }
    forwarding = true;
    if (requestComplete) {
      startGlobalTimer();
    }
    newAttempt();
  }

  private void prepareUpstreamRequest(RouteAction.Forward action) {
    HttpHeaders headers = request.headers();
    String path = line.pathAndQuery();
    if (action.prefixRewrite() != null) {
      int matched = route.match().matchedPrefixLength();
      String rest = line.path().length() >= matched ? line.path().substring(matched) : "";
      String rewritten = action.prefixRewrite() + rest;
      if (rewritten.isEmpty()) {
        rewritten = "/";
      }
      path = line.query().isEmpty() ? rewritten : rewritten + "?" + line.query();
    } else if (action.regexRewrite() != null) {
      String rewritten = action.regexRewrite().matcher(line.path()).replaceAll(action.regexSubstitution());
      path = line.query().isEmpty() ? rewritten : rewritten + "?" + line.query();
    }
    request.setUri(path);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    headers.set(HttpHeaderNames.HOST, action.hostRewrite() != null ? action.hostRewrite() : line.authority());
    if (!websocket) {
      for (AsciiString name : HOP_BY_HOP) {
        headers.remove(name);
      }
    }
    // Envoy's order without most_specific_header_mutations_wins: the most specific level first, so the route
    // configuration's "set" wins.
    apply(target.requestHeaders(), headers);
    apply(route.requestHeaders(), headers);
    apply(vhost.requestHeaders(), headers);
    apply(table.requestHeaders(), headers);
    if (http.tracing() != null) {
      Tracing.propagate(headers, http.tracing().randomSamplingPercent());
    }
  }

  private static void apply(HeaderMutations mutations, HttpHeaders headers) {
    if (!mutations.isEmpty()) {
      mutations.apply(headers);
    }
  }

  /** The request head for an attempt on an HTTP/1.1 or HTTP/2 upstream connection. */
  HttpRequest upstreamHead(boolean http2Upstream) {
    HttpHeaders headers = request.headers();
    if (http2Upstream) {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    } else {
      String te = headers.get(HttpHeaderNames.TE);
      if (te != null) {
        headers.remove(HttpHeaderNames.TE);
      }
      if (websocket) {
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      } else if (expectBody && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      }
    }
    return request;
  }

  private void startMirrors(RouteAction.Forward action) {
    for (var policy : action.mirrors()) {
      if (!policy.fraction().roll()) {
        continue;
      }
      ClusterRuntime mirrorCluster = state.clusters().get(policy.cluster());
      if (mirrorCluster == null || mirrorCluster.spec().http2() && websocket) {
        continue;
      }
      Mirror mirror = new Mirror(this, mirrorCluster, proxy.upstreams().pools(loop, mirrorCluster), policy);
      if (mirrors == null) {
        mirrors = new ArrayList<>(1);
      }
      mirrors.add(mirror);
      mirror.start(action.timeout());
    }
  }

  private void newAttempt() {
    attempts++;
    Set<Host> avoid = tried == null ? Set.of() : tried;
    Host host = pools.balancer().choose(cluster.hosts(), hash, avoid, avoid.isEmpty() ? 0 : 5);
    if (host == null) {
      releaseRetrySlot();
      flags.add(ResponseFlag.UH);
      localReply(503, "no healthy upstream", "no_healthy_upstream");
      return;
    }
    if (!cluster.breakers().tryRequest()) {
      releaseRetrySlot();
      flags.add(ResponseFlag.UO);
      localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: overflow",
          "upstream_reset_before_response_started{overflow}");
      return;
    }
    upstreamHost = host.hostPort();
    attempt = new Attempt(this, host, retrySlot);
    retrySlot = false;
    attempt.begin();
  }

  private void releaseRetrySlot() {
    if (retrySlot) {
      retrySlot = false;
      cluster.breakers().releaseRetry();
    }
  }

  void startGlobalTimer() {
    RouteAction.Forward action = (RouteAction.Forward) route.action();
    Duration timeout = action.timeout();
    if (timeout != null && globalDeadline == 0 && !done) {
      // 0 means "none"; a deadline landing exactly on it moves a nanosecond.
      globalDeadline = (System.nanoTime() + timeout.toNanos()) | 1;
      downstream.deadlineBy(globalDeadline);
    }
  }

  private void globalTimeout() {
    globalDeadline = 0;
    flags.add(ResponseFlag.UT);
    if (attempt != null) {
      Host host = attempt.host();
      attempt.cancel();
      attempt = null;
      if (cluster.outlier() != null) {
        cluster.outlier().report(host, 504);
      }
    }
    if (responseStarted) {
      details = "upstream_response_timeout";
      resetDownstream();
      return;
    }
    localReply(504, "upstream request timeout", "upstream_response_timeout");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Request body from downstream.

  void onRequestBody(HttpContent content) {
    if (done || body == null) {
      content.release();
      return;
    }
    requestBytes += content.content().readableBytes();
    lastActivity = System.nanoTime();
    long limit = proxy.limits().maxRequestBodyBytes();
    if (limit > 0 && requestBytes > limit) {
      content.release();
      closeAfter = true;
      if (responseStarted) {
        resetDownstream();
      } else {
        localReply(413, "Payload Too Large", "request_payload_too_large", ResponseFlag.DPE);
      }
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (mirrors != null) {
      for (Mirror mirror : mirrors) {
        mirror.offer(content);
      }
    }
    body.add(content);
    if (last) {
      requestComplete = true;
      if (forwarding) {
        startGlobalTimer();
        if (attempt != null) {
          attempt.requestComplete();
        }
      }
    }
    if (attempt != null && attempt.ready()) {
      attempt.pump();
    } else if (!last) {
      // Nobody can take the bytes yet (filters running, connection being set up): stop reading more.
      downstream.pauseReading();
    }
  }

  void onDownstreamWritable() {
    if (attempt != null) {
      attempt.resumeResponse();
    }
  }

  void onDownstreamClosed() {
    if (done) {
      return;
    }
    flags.add(ResponseFlag.DC);
    details = details.isEmpty() ? "downstream_remote_disconnect" : details;
    if (attempt != null) {
      attempt.cancel();
      attempt = null;
    }
    finish(false);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Upstream attempt results.

  void attemptResponseHead(Attempt from, HttpResponse head) {
    if (from != attempt || done) {
      return;
    }
    int status = head.status().code();
    lastActivity = System.nanoTime();
    upstreamServiceNanos = lastActivity - from.startNanos();
    if (cluster.outlier() != null) {
      cluster.outlier().report(from.host(), status);
    }
    if (retry != null && !responseStarted && RetryDecision.retriable(retry, status, head.headers())) {
      if (retryNow(from)) {
        return;
      }
    }
    responseStarted = true;
    responseCode = status;
    details = "via_upstream";
    prepareResponse(head);
    if (websocket && status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      // Envoy does not time an upgraded HTTP/1.1 stream by its route; its stream idle timeout goes on, now counting
      // the tunnel's bytes either way, which the tunnel's own timer sees.
      long tunnelIdleNanos = idleNanos;
      idleNanos = 0;
      globalDeadline = 0;
      attempt = null;
      from.releaseSlots();
      WebSocketTunnel.open(this, head, from, tunnelIdleNanos);
      return;
    }
    // Held until the end of this upstream read: a small response's body arrives with its head, and the two then go
    // to the downstream as one message (one encoder pass, one write); a head alone is flushed at the read's end.
    heldHead = head;
  }

  /** The upstream connection finished a read: a head still held has no body in it, so it goes out alone. */
  void attemptReadComplete(Attempt from) {
    if (from == attempt && heldHead != null) {
      downstream.write(heldHead);
      heldHead = null;
      downstream.flush();
    }
  }

  void attemptResponseBody(Attempt from, HttpContent content) {
    if (from != attempt || done) {
      content.release();
      return;
    }
    if (heldHead != null) {
      HttpResponse head = heldHead;
      heldHead = null;
      if (content instanceof LastHttpContent last) {
        content = new DefaultFullHttpResponse(head.protocolVersion(), head.status(), last.content(), head.headers(),
            last.trailingHeaders());
      } else {
        downstream.write(head);
      }
    }
    bytesSent += content.content().readableBytes();
    lastActivity = System.nanoTime();
    if (content instanceof LastHttpContent last) {
      String trailerStatus = last.trailingHeaders().get("grpc-status");
      if (trailerStatus != null) {
        grpcStatus = trailerStatus;
      }
      downstream.write(content);
      downstream.flush();
      attempt = null;
      from.complete();
      if (!requestComplete) {
        // The upstream answered before the request ended: neither connection can carry on (Envoy resets).
        from.abandon();
        closeAfter = true;
      }
      finish(false);
      return;
    }
    downstream.write(content);
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(() -> {
        flushScheduled = false;
        downstream.flush();
      });
    }
    if (!downstream.writable()) {
      from.pauseResponse();
    }
  }

  void attemptFailed(Attempt from, UpstreamFailure failure, boolean perTryTimeout) {
    if (from != attempt || done) {
      return;
    }
    attempt = null;
    if (cluster.outlier() != null && (perTryTimeout || failure.kind() != UpstreamFailure.Kind.OVERFLOW)) {
      cluster.outlier().report(from.host(), perTryTimeout ? 504 : 503);
    }
    if (responseStarted) {
      flags.add(perTryTimeout ? ResponseFlag.UT : failure.kind() == UpstreamFailure.Kind.REMOTE_RESET
          ? ResponseFlag.UR : ResponseFlag.UC);
      details = "upstream_reset_after_response_started";
      resetDownstream();
      return;
    }
    if (retry != null && RetryDecision.retriable(retry, perTryTimeout ? null : failure.kind(), perTryTimeout)) {
      if (retryNow(from)) {
        return;
      }
    }
    if (perTryTimeout) {
      flags.add(ResponseFlag.UT);
      localReply(504, "upstream request timeout", "upstream_per_try_timeout");
      return;
    }
    String prefix = "upstream connect error or disconnect/reset before headers. reset reason: ";
    switch (failure.kind()) {
      case CONNECT_FAILURE -> {
        flags.add(ResponseFlag.UF);
        localReply(503, prefix + "connection failure, transport failure reason: " + failure.detail(),
            "upstream_reset_before_response_started{connection_failure}");
      }
      case OVERFLOW -> {
        flags.add(ResponseFlag.UO);
        localReply(503, prefix + "overflow", "upstream_reset_before_response_started{overflow}");
      }
      case REMOTE_RESET, REFUSED_STREAM -> {
        flags.add(ResponseFlag.UR);
        localReply(503, prefix + (failure.kind() == UpstreamFailure.Kind.REFUSED_STREAM
            ? "remote refused stream reset" : "remote reset"), "upstream_reset_before_response_started{remote_reset}");
      }
      case PROTOCOL_ERROR -> {
        flags.add(ResponseFlag.UPE);
        localReply(502, prefix + "protocol error", "upstream_reset_before_response_started{protocol_error}");
      }
      default -> {
        flags.add(ResponseFlag.UC);
        localReply(503, prefix + "connection termination",
            "upstream_reset_before_response_started{connection_termination}");
      }
    }
  }

  /** Retries after back-off when the policy, the budget and the body allow; false means answer with this result. */
  private boolean retryNow(Attempt from) {
    if (attempts > retry.numRetries()) {
      flags.add(ResponseFlag.URX);
      return false;
    }
    if (!body.replayable() && body.end() > 0 && from.wroteBody()) {
      return false;
    }
    if (!cluster.breakers().tryRetry()) {
      return false;
    }
    from.cancel();
    attempt = null;
    retrySlot = true;
    if (tried == null) {
      tried = new HashSet<>(4);
    }
    tried.add(from.host());
    long delay = RetryDecision.backoffMillis(retry, attempts);
    backoffTimer = loop.schedule(() -> {
      backoffTimer = null;
      if (!done) {
        newAttempt();
      } else {
        releaseRetrySlot();
      }
    }, delay, TimeUnit.MILLISECONDS);
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Responses.

  private void prepareResponse(HttpResponse head) {
    HttpHeaders headers = head.headers();
    headers.remove(STREAM_ID);
    headers.remove(SCHEME);
    boolean upgrade = websocket && head.status().code() == 101;
    if (!upgrade) {
      headers.remove(HttpHeaderNames.CONNECTION);
      headers.remove(HttpHeaderNames.UPGRADE);
    }
    headers.remove(HttpHeaderNames.KEEP_ALIVE);
    headers.remove(HttpHeaderNames.PROXY_CONNECTION);
    String grpcHeader = headers.get(GRPC_STATUS);
    if (grpcHeader != null) {
      grpcStatus = grpcHeader;
    }
    if (!downstream.http2() && !upgrade) {
      boolean chunked = HttpUtil.isTransferEncodingChunked(head);
      if (!chunked && !headers.contains(HttpHeaderNames.CONTENT_LENGTH) && bodyAllowed(head.status().code())) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else if (chunked && headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      }
      if (!keepAlive || connection.draining() || closeAfter) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
    } else if (downstream.http2()) {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    responseMutations(headers);
    echoRequestId(headers);
  }

  /** Envoy's {@code always_set_request_id_in_response}: the client learns the id the access logs know it by. */
  private void echoRequestId(HttpHeaders headers) {
    if (http.alwaysSetRequestIdInResponse() && !requestId.isEmpty()) {
      headers.set(REQUEST_ID, requestId);
    }
  }

  private boolean bodyAllowed(int status) {
    return !(status == 204 || status == 304 || (status >= 100 && status < 200))
        && !request.method().equals(HttpMethod.HEAD);
  }

  private void responseMutations(HttpHeaders headers) {
    if (target != null) {
      apply(target.responseHeaders(), headers);
    }
    if (route != null) {
      apply(route.responseHeaders(), headers);
    }
    if (vhost != null) {
      apply(vhost.responseHeaders(), headers);
    }
    if (table != null) {
      apply(table.responseHeaders(), headers);
    }
    if (cors != null) {
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin);
      if (cors.allowCredentials()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      }
      if (!cors.exposeHeaders().isEmpty()) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, cors.exposeHeaders());
      }
    }
    if (generatedCookie != null) {
      headers.add(HttpHeaderNames.SET_COOKIE, generatedCookie);
    }
    if (!flags.isEmpty()) {
      headers.set(LocalReplies.FLAGS_HEADER, ResponseFlag.render(flags));
    }
  }

  void generatedCookie(String setCookie) {
    generatedCookie = setCookie;
  }

  /** A gateway-generated error or answer carrying {@code flag} (none for RBAC/JWT denials, as in Envoy). */
  void localReply(int status, String text, String detail, ResponseFlag... extra) {
    for (ResponseFlag flag : extra) {
      flags.add(flag);
    }
    details = detail;
    FullHttpResponse response = LocalReplies.build(downstream.channel().alloc(), status, text, detail, flags, grpc,
        request.method().equals(HttpMethod.HEAD));
    sendLocal(response);
  }

  /** A local reply with explicit extra headers (e.g. {@code www-authenticate}). */
  void localReply(int status, String text, String detail, HttpHeaders extraHeaders) {
    details = detail;
    FullHttpResponse response = LocalReplies.build(downstream.channel().alloc(), status, text, detail, flags, grpc,
        request.method().equals(HttpMethod.HEAD));
    response.headers().add(extraHeaders);
    sendLocal(response);
  }

  private void grpcReply(int code, String message, String detail) {
    details = detail;
    FullHttpResponse response = LocalReplies.build(downstream.channel().alloc(), 500, message, detail, flags, true,
        false);
    response.headers().set("grpc-status", Integer.toString(code));
    sendLocal(response);
  }

  private void sendLocal(FullHttpResponse response) {
    if (done) {
      response.release();
      return;
    }
    if (responseStarted) {
      response.release();
      resetDownstream();
      return;
    }
    cancelUpstream();
    responseStarted = true;
    responseCode = response.status().code();
    String grpcHeader = response.headers().get("grpc-status");
    if (grpcHeader != null) {
      grpcStatus = grpcHeader;
    }
    if (!downstream.http2()) {
      if (!requestComplete && (body == null || expectBody)) {
        // The rest of the request body will not be read: the connection cannot carry another request.
        closeAfter = true;
      }
      if (!keepAlive || closeAfter || connection.draining()) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closeAfter = true;
      }
    }
    echoRequestId(response.headers());
    bytesSent += response.content().readableBytes();
    downstream.write(response);
    downstream.flush();
    finish(false);
  }

  private void resetDownstream() {
    cancelUpstream();
    closeAfter = true;
    finish(true);
  }

  private void cancelUpstream() {
    if (attempt != null) {
      attempt.cancel();
      attempt = null;
    }
    if (backoffTimer != null) {
      backoffTimer.cancel(false);
      backoffTimer = null;
      releaseRetrySlot();
    }
  }

  /** Ends the exchange once: timers, buffers, the outcome, and the downstream stream's next step. */
  void finish(boolean reset) {
    if (done) {
      return;
    }
    done = true;
    heldHead = null;
    cancelUpstream();
    if (faultTimer != null) {
      faultTimer.cancel(false);
      faultTimer = null;
    }
    if (body != null) {
      body.release();
    }
    report();
    if (reset) {
      downstream.reset();
    } else {
      downstream.finished(this, closeAfter || (!downstream.http2() && !keepAlive));
    }
  }

  /** Called by the WebSocket tunnel when no byte crossed it for the stream idle timeout: it closes next. */
  void tunnelIdle() {
    flags.add(ResponseFlag.SI);
    details = "stream_idle_timeout";
  }

  /** Called by the WebSocket tunnel when it closes: the request ends then. */
  void tunnelClosed(long received, long sent) {
    if (done) {
      return;
    }
    requestBytes += received;
    bytesSent += sent;
    done = true;
    if (body != null) {
      body.release();
    }
    report();
  }

  private void report() {
    proxy.report(new RequestOutcome(Instant.ofEpochMilli(startMillis), System.nanoTime() - startNanos, connection.listener(),
        route == null ? "" : route.name(), connection.protocol(), method, originalAuthority, originalTarget,
        requestId, userAgent, forwardedFor, connection.remote(), connection.local(), connection.sni(),
        connection.peerPrincipal(), responseCode, ResponseFlag.render(flags), details,
        target == null ? "" : target.name(), upstreamHost, upstreamServiceNanos, attempts, requestBytes, bytesSent,
        grpcStatus));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // AuthzRequest: what RBAC and the external authorizer see.

  @Override
  public io.meshfed.gateway.l7.routing.RequestView request() {
    return line;
  }

  @Override
  public InetAddress directRemote() {
    return connection.remote().getAddress();
  }

  @Override
  public InetAddress remote() {
    return remote;
  }

  @Override
  public InetSocketAddress local() {
    return connection.local();
  }

  @Override
  public String sni() {
    return connection.sni();
  }

  @Override
  public boolean peerAuthenticated() {
    return connection.peerCertificate() != null;
  }

  @Override
  public String peerPrincipal() {
    return connection.peerPrincipal();
  }

  @Override
  public Map<String, Map<String, Object>> metadata() {
    return metadata == null ? Map.of() : metadata;
  }

  Map<String, Object> metadataNamespace(String namespace) {
    if (metadata == null) {
      metadata = new HashMap<>(4);
    }
    return metadata.computeIfAbsent(namespace, ignored -> new HashMap<>());
  }
}
