package io.meshfed.gateway.eastwest.http;

import io.meshfed.control.client.accesslog.RequestIds;
import io.meshfed.gateway.eastwest.RequestRecord;
import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.config.RouteConfig;
import io.meshfed.gateway.eastwest.upstream.ClusterRuntime;
import io.meshfed.gateway.eastwest.upstream.Host;
import io.meshfed.gateway.eastwest.upstream.UpstreamFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request and its response through the forwarder: route, cluster, host (retrying connect failures on other
 * hosts as the route's retry policy allows), an upstream HTTP/1.1 connection from the event loop's pool, the request
 * streamed up and the response streamed down with backpressure both ways, the route timeout, the stream idle timeout
 * ({@link #streamIdleTimedOut()}), and one {@link RequestRecord} at the end ({@link RequestLog}). Lives on the
 * downstream connection's event loop; every method runs there.
 *
 * <p>Buffer ownership: request body parts are owned here while the upstream is being connected (bounded; reading
 * pauses past {@link #PENDING_LIMIT}) and pass to the upstream channel when written; response parts pass straight to
 * the downstream channel.
 */
final class Exchange {

  /** Request bytes held while connecting before downstream reading pauses (Envoy's default buffer limit). */
  static final int PENDING_LIMIT = 1024 * 1024;

  private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");

  private final RequestForwarder forwarder;
  private final HttpRequest request;
  private final Instant start = Instant.now();
  private final long startNanos = System.nanoTime();
  private final String method;
  private final String authority;
  private final String path;
  private final String requestId;
  private final boolean keepAliveRequested;
  /** Whether the request head (and, for a full request, its body) still belongs here (not yet written upstream). */
  private boolean requestOwned = true;
  private final Set<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private final Set<Host> tried = new HashSet<>();
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
  private final StreamIdleTimer streamIdle;
  private long pendingBytes;
  private RouteConfig route;
  private String clusterName = "";
  private ClusterRuntime cluster;
  private Host host;
  private Channel upstream;
  private int attempts;
  private boolean countedRequest;
  private boolean forceClose;
  private boolean hostActive;
  private boolean requestComplete;
  private boolean responseStarted;
  private boolean informational;
  private boolean responseComplete;
  private boolean upstreamKeepAlive;
  /** The response's head said {@code connection: close} (HTTP/1.1): the connection closes after it, whatever comes. */
  private boolean closeAnnounced;
  private boolean finished;
  private int status;
  private String details = "";
  private long requestBytes;
  private long responseBytes;
  private ScheduledFuture<?> timeout;
  /** The write of the response's end (its last part, or the local reply). */
  private ChannelFuture responseEnd;

  Exchange(RequestForwarder forwarder, HttpRequest request) {
    this.forwarder = forwarder;
    this.request = request;
    // The connection manager's stream_idle_timeout: the east-west route translator refuses a route's idle_timeout.
    this.streamIdle = new StreamIdleTimer(forwarder.downstream().eventLoop(), forwarder.target().streamIdleTimeout(),
        this::streamIdleTimedOut);
    this.method = request.method().name();
    String host = request.headers().get(HttpHeaderNames.HOST);
    this.authority = host == null ? "" : host;
    this.path = request.uri();
    this.requestId = requestId(request.headers());
    this.keepAliveRequested = HttpUtil.isKeepAlive(request);
    if (request instanceof LastHttpContent full) {
      // HTTP/2 requests whose HEADERS ended the stream, and HTTP/1.1 requests without a body (Http1ServerCodec), are
      // whole at their head.
      requestBytes = full.content().readableBytes();
      requestComplete = true;
    }
  }

  /**
   * The request's {@code x-request-id}; one is generated and set on the request when it has none, so the upstream
   * and this hop's access log carry the same id (Envoy's HTTP connection manager, "x-request-id").
   */
  private static String requestId(HttpHeaders headers) {
    String id = headers.get(REQUEST_ID);
    if (id == null || id.isEmpty()) {
      id = RequestIds.next();
      headers.set(REQUEST_ID, id);
    }
    return id;
  }

  boolean requestComplete() {
    return requestComplete;
  }

  boolean finished() {
    return finished;
  }

  /** Routes and starts connecting. The request head is written when the upstream is ready. */
  void start() {
    streamIdle.start();
    if (request.decoderResult().isFailure()) {
      // The codec cannot find the next request's start after a broken one: answer, then close.
      requestComplete = true;
      forceClose = true;
      localReply(400, ResponseFlag.DPE, "malformed request: " + request.decoderResult().cause().getMessage());
      return;
    }
    route = forwarder.target().routes().route(authority, path);
    if (route == null) {
      localReply(404, ResponseFlag.NR, "no route for authority '" + authority + "' path '" + pathOnly() + "' in "
          + forwarder.target().routeConfigName());
      return;
    }
    clusterName = route.pickCluster();
    cluster = forwarder.services().clusters().cluster(clusterName);
    if (cluster == null) {
      localReply(503, ResponseFlag.NC, "cluster " + clusterName + " is not configured");
      return;
    }
    if (!cluster.ready()) {
      localReply(503, ResponseFlag.UH, "cluster " + clusterName + " waits for " + cluster.config().missing());
      return;
    }
    if (requestsInFlight() >= cluster.config().circuitBreakers().maxRequests()) {
      localReply(503, ResponseFlag.UO, "cluster " + clusterName + " is at max_requests "
          + cluster.config().circuitBreakers().maxRequests());
      return;
    }
    countedRequest = true;
    cluster.state().requestStarted();
    Duration limit = route.timeout();
    if (!limit.isZero()) {
      timeout = forwarder.downstream().eventLoop().schedule(this::timedOut, limit.toNanos(), TimeUnit.NANOSECONDS);
    }
    connect();
  }

  private int requestsInFlight() {
    return cluster.state().requests();
  }

  private String pathOnly() {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  private void connect() {
    if (finished) {
      return;
    }
    InetSocketAddress remote = (InetSocketAddress) forwarder.record().channel().remoteAddress();
    Host chosen = cluster.pick(tried, remote == null ? 0 : remote.getAddress().hashCode());
    if (chosen == null) {
      if (tried.isEmpty()) {
        localReply(503, ResponseFlag.UH, "no healthy upstream in cluster " + clusterName);
      } else {
        flags.add(ResponseFlag.UF);
        if (attempts > 1) {
          flags.add(ResponseFlag.URX);
        }
        localReply(503, ResponseFlag.UF, "no further host to try in cluster " + clusterName + " after " + tried
            + (details.isEmpty() ? "" : "; last: " + details));
      }
      return;
    }
    host = chosen;
    attempts++;
    Channel pooled = forwarder.services().pool().poll(clusterName, chosen);
    if (pooled != null) {
      attach(pooled);
      return;
    }
    Channel downstream = forwarder.downstream();
    forwarder.services().connector().connectHost(downstream.eventLoop(), cluster, chosen, true, false, channel -> {
      channel.pipeline().addLast("h1", new io.netty.handler.codec.http.HttpClientCodec());
      channel.pipeline().addLast("response", new UpstreamResponseHandler());
    }).addListener(done -> {
      if (done.isSuccess()) {
        Channel channel = (Channel) done.getNow();
        if (finished) {
          channel.close();
        } else {
          attach(channel);
        }
      } else {
        connectFailed(chosen, done.cause());
      }
    });
  }

  private void connectFailed(Host failed, Throwable cause) {
    if (finished) {
      return;
    }
    details = cause.getMessage();
    if (cause instanceof UpstreamFailure failure && failure.flags().contains(ResponseFlag.UO)) {
      localReply(503, ResponseFlag.UO, failure.getMessage());
      return;
    }
    tried.add(failed);
    if (route.retry().retriesConnectFailure() && attempts <= route.retry().numRetries()) {
      connect();
      return;
    }
    if (attempts > 1) {
      flags.add(ResponseFlag.URX);
    }
    localReply(503, ResponseFlag.UF, "upstream connect error: " + details);
  }

  private void attach(Channel channel) {
    upstream = channel;
    host.state().requestStarted();
    hostActive = true;
    channel.pipeline().get(UpstreamResponseHandler.class).attach(this);
    requestOwned = false;
    channel.write(prepareRequest(), channel.voidPromise());
    for (HttpContent content = pending.poll(); content != null; content = pending.poll()) {
      channel.write(content, channel.voidPromise());
    }
    pendingBytes = 0;
    channel.flush();
    channel.config().setAutoRead(true);
    forwarder.resumeReading();
  }

  /** The request as sent upstream: HTTP/1.1, hop-by-hop headers removed, framing and forwarding headers set. */
  private HttpRequest prepareRequest() {
    HttpHeaders headers = request.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(request);
    boolean hasLength = HttpUtil.isContentLengthSet(request);
    Messages.stripHopByHop(headers);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (request instanceof FullHttpRequest full) {
      if (!hasLength && (full.content().isReadable() || !bodyless(request.method()))) {
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, full.content().readableBytes());
      }
    } else if (!hasLength || chunked) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    headers.set("x-forwarded-proto", forwarder.tls() ? "https" : "http");
    InetSocketAddress remote = (InetSocketAddress) forwarder.record().channel().remoteAddress();
    if (remote != null) {
      String client = remote.getAddress().getHostAddress();
      String previous = headers.get("x-forwarded-for");
      headers.set("x-forwarded-for", previous == null ? client : previous + ", " + client);
    }
    // Envoy's forward_client_cert_details default (SANITIZE): a client cannot claim another's certificate.
    headers.remove("x-forwarded-client-cert");
    return request;
  }

  private static boolean bodyless(HttpMethod method) {
    return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.DELETE)
        || method.equals(HttpMethod.OPTIONS) || method.equals(HttpMethod.TRACE);
  }

  /** A part of the request body from downstream. */
  void onRequestContent(HttpContent content) {
    streamIdle.activity();
    requestBytes += content.content().readableBytes();
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestComplete = true;
    }
    if (finished) {
      // A part the forwarder read in the same batch as the one that ended the exchange.
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      // A malformed body (a bad chunk): the codec ends it with a failed last part, which must not reach the upstream
      // as the body's proper end. The upstream connection is closed with the body unfinished, and the codec cannot
      // find the next request's start: the connection closes after the 400, as Envoy's codec error does.
      String detail = "malformed request body: " + content.decoderResult().cause().getMessage();
      content.release();
      forceClose = true;
      if (responseStarted) {
        flags.add(ResponseFlag.DPE);
        details = detail;
        abort();
      } else {
        localReply(400, ResponseFlag.DPE, detail);
      }
      return;
    }
    if (upstream != null) {
      upstream.write(content, upstream.voidPromise());
      if (!upstream.isWritable()) {
        forwarder.pauseReading();
      }
      return;
    }
    pending.add(content);
    pendingBytes += content.content().readableBytes();
    if (pendingBytes > PENDING_LIMIT) {
      forwarder.pauseReading();
    }
  }

  /** The downstream finished a read batch: push what was written upstream. */
  void downstreamReadComplete() {
    if (upstream != null) {
      upstream.flush();
    }
  }

  void upstreamWritable() {
    forwarder.resumeReading();
  }

  void downstreamWritable() {
    if (upstream != null) {
      upstream.config().setAutoRead(true);
    }
  }

  void onResponse(HttpResponse response) {
    if (finished) {
      return;
    }
    streamIdle.activity();
    int code = response.status().code();
    if (code >= 100 && code < 200) {
      // An interim response (100 Continue, 103 Early Hints): passed on, the final one still to come.
      informational = true;
      Messages.stripHopByHop(response.headers());
      forwarder.downstream().write(response, forwarder.downstream().voidPromise());
      return;
    }
    responseStarted = true;
    status = response.status().code();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    if (status >= 500) {
      cluster.reportFailure(host, status == 502 || status == 503 || status == 504);
    } else {
      cluster.reportSuccess(host);
    }
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    boolean hasLength = HttpUtil.isContentLengthSet(response);
    Messages.stripHopByHop(response.headers());
    if (!forwarder.multiplexed()) {
      if (chunked || (!hasLength && mayHaveBody(status) && !HttpMethod.HEAD.name().equals(method))) {
        // Re-frame for the downstream hop, so a close-delimited upstream body keeps the client's connection.
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      if (!keepAliveAfter()) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closeAnnounced = true;
      }
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    forwarder.downstream().write(response, forwarder.downstream().voidPromise());
  }

  private static boolean mayHaveBody(int status) {
    return status >= 200 && status != 204 && status != 304;
  }

  void onResponseContent(HttpContent content) {
    if (finished) {
      content.release();
      return;
    }
    streamIdle.activity();
    if (informational) {
      // The empty end of an interim response: HTTP/1.1's encoder needs it, on HTTP/2 it would end the stream.
      informational = !(content instanceof LastHttpContent);
      if (forwarder.multiplexed()) {
        content.release();
      } else {
        forwarder.downstream().write(content, forwarder.downstream().voidPromise());
      }
      return;
    }
    responseBytes += content.content().readableBytes();
    Channel downstream = forwarder.downstream();
    boolean last = content instanceof LastHttpContent;
    if (last) {
      responseEnd = downstream.write(content);
    } else {
      downstream.write(content, downstream.voidPromise());
    }
    if (!downstream.isWritable() && upstream != null) {
      upstream.config().setAutoRead(false);
    }
    if (last) {
      responseComplete = true;
      downstream.flush();
      finish();
    }
  }

  void upstreamReadComplete() {
    if (!finished) {
      forwarder.downstream().flush();
    }
  }

  /** The upstream connection closed (or reset) while this exchange used it. */
  void upstreamClosed() {
    if (finished || responseComplete) {
      return;
    }
    upstream = null;
    if (!responseStarted) {
      localReply(503, ResponseFlag.UC, "upstream connection to " + host + " closed before response headers");
    } else {
      flags.add(ResponseFlag.UC);
      details = "upstream connection to " + host + " closed mid-response";
      abort();
    }
  }

  /** The downstream (connection or HTTP/2 stream) went away first. */
  void downstreamClosed() {
    streamIdle.cancel();
    if (finished) {
      return;
    }
    flags.add(ResponseFlag.DC);
    details = "downstream closed before the response completed";
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
    releasePending();
    finishRecord();
  }

  private void timedOut() {
    if (finished) {
      return;
    }
    if (!responseStarted) {
      if (upstream != null) {
        upstream.close();
        upstream = null;
      }
      localReply(504, ResponseFlag.UT, "no response within the route timeout " + route.timeout().toMillis() + " ms");
    } else {
      flags.add(ResponseFlag.UT);
      details = "response incomplete at the route timeout";
      abort();
    }
  }

  /**
   * Envoy's stream idle timeout: no byte of this stream moved either way for {@code stream_idle_timeout}. As Envoy
   * answers (its {@code maybeRequestTimeoutCode}): 408 while the request is still arriving, 504 once it has all
   * arrived and no response has started, and a reset once one has.
   */
  private void streamIdleTimedOut() {
    if (finished) {
      return;
    }
    if (responseStarted) {
      flags.add(ResponseFlag.SI);
      details = "stream_idle_timeout";
      abort();
    } else if (requestComplete) {
      // The whole request arrived and the upstream is the silent one: 504, and the connection stays usable.
      localReply(504, ResponseFlag.SI, "stream_idle_timeout");
    } else {
      // The rest of the request will not be read: the HTTP/1.1 connection closes after the 408, the HTTP/2 stream is
      // reset after it, as after any response sent before its request's end.
      forceClose = true;
      localReply(408, ResponseFlag.SI, "stream_idle_timeout");
    }
  }

  /** Ends a half-sent response: the downstream connection (or stream) cannot be reused. */
  private void abort() {
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
    releasePending();
    finishRecord();
    forwarder.downstream().close();
  }

  private void localReply(int code, ResponseFlag flag, String detail) {
    flags.add(flag);
    details = detail;
    status = code;
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
    releasePending();
    responseStarted = true;
    responseComplete = true;
    boolean close = !forwarder.multiplexed() && !keepAliveAfter();
    closeAnnounced = close;
    responseEnd = forwarder.downstream().writeAndFlush(Messages.localReply(forwarder.downstream().alloc(), code, flags,
        detail, close));
    finish();
  }

  /**
   * Whether the downstream HTTP/1.1 connection can carry another request after this one, as far as is known now: asked
   * when the response's head is written, which announces the answer. A request that ends after its response's head,
   * but before its end, does not make a connection announced closed usable again.
   */
  private boolean keepAliveAfter() {
    return keepAliveRequested && requestComplete && !forceClose && !forwarder.draining();
  }

  private void finish() {
    if (finished) {
      return;
    }
    Channel reusable = null;
    if (upstream != null) {
      UpstreamResponseHandler handler = upstream.pipeline().get(UpstreamResponseHandler.class);
      if (handler != null) {
        handler.detach();
      }
      if (responseComplete && requestComplete && upstreamKeepAlive && upstream.isActive()) {
        reusable = upstream;
      } else {
        upstream.close();
      }
      upstream = null;
    }
    finishRecord();
    if (reusable != null) {
      forwarder.services().pool().offer(clusterName, host, reusable);
    }
    // A response sent before its request's end ends the connection (HTTP/1.1) or the stream (HTTP/2), as in Envoy,
    // whose connection manager resets a stream whose response completes first: the rest of the request is not read.
    // On HTTP/1.1 such a response announced the close; once a head is out, what it announced is what happens, even if
    // a drain began since (the forwarder closes after the next response, or at once if none is coming).
    forwarder.exchangeDone(this, !closeAnnounced, responseEnd);
  }

  private void finishRecord() {
    if (finished) {
      return;
    }
    finished = true;
    releasePending();
    if (timeout != null) {
      timeout.cancel(false);
    }
    streamIdle.cancel();
    if (countedRequest) {
      cluster.state().requestFinished();
    }
    if (hostActive) {
      host.state().requestFinished();
      hostActive = false;
    }
    RequestLog.startedAt(forwarder, start, startNanos)
        .request(method, authority, path, requestId)
        .response(status, flags, details)
        .upstream(clusterName, host, attempts)
        .bytes(requestBytes, responseBytes)
        .emit();
  }

  private void releasePending() {
    if (requestOwned) {
      requestOwned = false;
      ReferenceCountUtil.release(request);
    }
    for (HttpContent content = pending.poll(); content != null; content = pending.poll()) {
      ReferenceCountUtil.release(content);
    }
    pendingBytes = 0;
  }
}
