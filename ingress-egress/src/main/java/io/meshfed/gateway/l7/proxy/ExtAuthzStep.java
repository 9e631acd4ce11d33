package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.routing.StringMatch;
import io.meshfed.gateway.l7.security.ExtAuthzSpec;
import io.meshfed.gateway.l7.security.RbacEvaluator;
import io.meshfed.gateway.l7.upstream.ClusterPools;
import io.meshfed.gateway.l7.upstream.PendingStream;
import io.meshfed.gateway.l7.upstream.StreamCallback;
import io.meshfed.gateway.l7.upstream.StreamListener;
import io.meshfed.gateway.l7.upstream.UpstreamFailure;
import io.meshfed.gateway.l7.upstream.UpstreamStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code envoy.filters.http.ext_authz} step with an HTTP authorizer (Istio's AuthorizationPolicy
 * {@code CUSTOM}): the request's method, path (after {@code path_prefix}) and selected headers go to the authorizer;
 * a 2xx lets the request through (copying the allowed authorizer headers onto it), anything else is returned to
 * the client with flag {@code UAEX}. An unreachable authorizer denies with {@code status_on_error} unless
 * {@code failure_mode_allow}.
 */
final class ExtAuthzStep implements StreamListener, StreamCallback {

  private static final int MAX_BODY = 8 * 1024;
  private static final Set<String> DEFAULT_HEADERS = Set.of("authorization", "content-length");

  private final Exchange exchange;
  private final ExtAuthzSpec spec;
  private final ClusterRuntime cluster;
  private Host host;
  private PendingStream pending;
  private UpstreamStream stream;
  private ScheduledFuture<?> timer;
  private HttpResponse response;
  private ByteBuf body;
  private boolean ended;
  private boolean slot;

  private ExtAuthzStep(Exchange exchange, ExtAuthzSpec spec, ClusterRuntime cluster) {
    this.exchange = exchange;
    this.spec = spec;
    this.cluster = cluster;
  }

  /** True to continue now (the filter does not apply); false while the authorizer is asked. */
  static boolean run(Exchange exchange, ExtAuthzSpec spec) {
    if (spec.enabledMetadata() != null && !RbacEvaluator.metadata(spec.enabledMetadata(), exchange.metadata())) {
      return true;
    }
    ClusterRuntime cluster = exchange.state.clusters().get(spec.cluster());
    ExtAuthzStep step = new ExtAuthzStep(exchange, spec, cluster);
    exchange.downstream.pauseReading();
    if (cluster == null) {
      step.failed("authorizer cluster " + spec.cluster() + " not found");
      return false;
    }
    step.start();
    return false;
  }

  private void start() {
    ClusterPools pools = exchange.proxy.upstreams().pools(exchange.loop, cluster);
    host = pools.balancer().choose(cluster.hosts(), null, Set.of(), 0);
    if (host == null || !cluster.breakers().tryRequest()) {
      failed("no authorizer host available");
      return;
    }
    slot = true;
    host.requestStarted();
    timer = exchange.loop.schedule(() -> failed("authorizer timed out"), spec.timeout().toMillis(),
        TimeUnit.MILLISECONDS);
    pending = pools.acquire(host, this, this);
  }

  @Override
  public void onStream(UpstreamStream opened) {
    pending = null;
    if (ended) {
      opened.reset();
      return;
    }
    stream = opened;
    HttpRequest check = new DefaultHttpRequest(HttpVersion.HTTP_1_1, exchange.request.method(),
        spec.pathPrefix() + exchange.line.pathAndQuery());
    HttpHeaders headers = check.headers();
    headers.set(HttpHeaderNames.HOST, spec.authority().isEmpty() ? exchange.line.authority() : spec.authority());
    for (Map.Entry<String, String> header : exchange.request.headers()) {
      String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
      if (DEFAULT_HEADERS.contains(name) || allowed(name)) {
        headers.add(name, header.getValue());
      }
    }
    headers.set(HttpHeaderNames.CONTENT_LENGTH, 0);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    stream.write(check);
    stream.write(LastHttpContent.EMPTY_LAST_CONTENT);
    stream.flush();
  }

  private boolean allowed(String name) {
    for (StringMatch match : spec.allowedHeaders()) {
      if (match.matches(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void onFailure(UpstreamFailure failure) {
    pending = null;
    failed(failure.detail());
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    response = head;
    body = Unpooled.buffer();
  }

  @Override
  public void onResponseBody(HttpContent content) {
    try {
      if (ended) {
        return;
      }
      if (body != null && body.readableBytes() < MAX_BODY) {
        body.writeBytes(content.content(), Math.min(content.content().readableBytes(),
            MAX_BODY - body.readableBytes()));
      }
      if (content instanceof LastHttpContent) {
        decided();
      }
    } finally {
      content.release();
    }
  }

  @Override
  public void onReset(UpstreamFailure failure) {
    failed(failure.detail());
  }

  @Override
  public void onWritable() {
  }

  private void decided() {
    int status = response.status().code();
    String text = body.toString(StandardCharsets.UTF_8);
    end(false);
    if (exchange.done()) {
      return;
    }
    if (status >= 200 && status < 300) {
      HttpHeaders forwarded = exchange.request.headers();
      for (Map.Entry<String, String> header : response.headers()) {
        String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
        for (StringMatch match : spec.upstreamHeaders()) {
          if (match.matches(name)) {
            forwarded.set(name, header.getValue());
            break;
          }
        }
      }
      exchange.resumeOnLoop();
      return;
    }
    exchange.flags.add(ResponseFlag.UAEX);
    HttpHeaders extra = new DefaultHttpHeaders();
    for (Map.Entry<String, String> header : response.headers()) {
      String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
      if (!name.equals("content-length") && !name.equals("transfer-encoding") && !name.equals("connection")
          && !name.equals("content-type")) {
        extra.add(name, header.getValue());
      }
    }
    exchange.localReply(status, text, "ext_authz_denied", extra);
  }

  private void failed(String reason) {
    if (ended) {
      return;
    }
    end(true);
    if (exchange.done()) {
      return;
    }
    if (spec.failureModeAllow()) {
      exchange.resumeOnLoop();
      return;
    }
    exchange.flags.add(ResponseFlag.UAEX);
    exchange.localReply(spec.statusOnError(), "", "ext_authz_error");
  }

  private void end(boolean abandon) {
    ended = true;
    if (timer != null) {
      timer.cancel(false);
    }
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    if (abandon && stream != null) {
      stream.reset();
    }
    if (body != null) {
      body.release();
      body = null;
    }
    if (slot) {
      slot = false;
      host.requestEnded();
      cluster.breakers().releaseRequest();
    }
  }
}
