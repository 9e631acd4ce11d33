package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.routing.MirrorSpec;
import io.meshfed.gateway.l7.upstream.ClusterPools;
import io.meshfed.gateway.l7.upstream.PendingStream;
import io.meshfed.gateway.l7.upstream.StreamCallback;
import io.meshfed.gateway.l7.upstream.StreamListener;
import io.meshfed.gateway.l7.upstream.UpstreamFailure;
import io.meshfed.gateway.l7.upstream.UpstreamStream;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A fire-and-forget shadow copy of a request (Envoy's {@code request_mirror_policies}, Istio's {@code mirror}): same
 * method, path and body, authority with {@code -shadow} appended, response discarded, never retried, never affecting
 * the real request. Gives up when its cluster cannot take it or it cannot keep up (its buffer is capped).
 */
final class Mirror implements StreamListener, StreamCallback {

  private final Exchange exchange;
  private final ClusterRuntime cluster;
  private final ClusterPools pools;
  private final MirrorSpec spec;
  private final ArrayDeque<HttpContent> queue = new ArrayDeque<>();
  private HttpRequest head;
  private Host host;
  private UpstreamStream stream;
  private PendingStream pending;
  private ScheduledFuture<?> timer;
  private long queuedBytes;
  private boolean ended;
  private boolean slot;

  Mirror(Exchange exchange, ClusterRuntime cluster, ClusterPools pools, MirrorSpec spec) {
    this.exchange = exchange;
    this.cluster = cluster;
    this.pools = pools;
    this.spec = spec;
  }

  /** Envoy's shadow host: {@code -shadow} after the host, before any port ({@code foo-shadow:8080}). */
  static String shadowAuthority(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']', colon) < 0) {
      return authority.substring(0, colon) + "-shadow" + authority.substring(colon);
    }
    return authority + "-shadow";
  }

  void start(Duration timeout) {
    HttpRequest original = exchange.request;
    head = new DefaultHttpRequest(original.protocolVersion(), original.method(), original.uri(),
        original.headers().copy());
    if (spec.appendShadowSuffix()) {
      head.headers().set(HttpHeaderNames.HOST, shadowAuthority(head.headers().get(HttpHeaderNames.HOST, "")));
    }
    RequestBody body = exchange.body;
    for (int i = 0; i < body.end(); i++) {
      HttpContent chunk = body.get(i);
      queue.add(chunk);
      queuedBytes += chunk.content().readableBytes();
    }
    host = pools.balancer().choose(cluster.hosts(), null, Set.of(), 0);
    if (host == null || !cluster.breakers().tryRequest()) {
      end();
      return;
    }
    slot = true;
    host.requestStarted();
    long millis = timeout == null ? 15_000 : timeout.toMillis();
    timer = exchange.loop.schedule(this::cancel, millis, TimeUnit.MILLISECONDS);
    pending = pools.acquire(host, this, this);
  }

  void offer(HttpContent chunk) {
    if (ended) {
      return;
    }
    HttpContent copy = chunk.retainedDuplicate();
    if (stream != null) {
      if (!stream.isWritable()) {
        // A mirror must never slow the real request: one that cannot keep up is dropped.
        copy.release();
        cancel();
        return;
      }
      stream.write(copy);
      stream.flush();
      return;
    }
    queue.add(copy);
    queuedBytes += copy.content().readableBytes();
    if (queuedBytes > exchange.proxy.limits().retryBufferBytes()) {
      cancel();
    }
  }

  @Override
  public void onStream(UpstreamStream opened) {
    pending = null;
    if (ended) {
      opened.reset();
      return;
    }
    stream = opened;
    if (opened.http2()) {
      head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    } else if (exchange.expectBody() && !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    stream.write(head);
    while (!queue.isEmpty()) {
      stream.write(queue.poll());
    }
    queuedBytes = 0;
    stream.flush();
  }

  @Override
  public void onFailure(UpstreamFailure failure) {
    pending = null;
    end();
  }

  @Override
  public void onResponseHead(HttpResponse response) {
    // Discarded: a shadow's answer never reaches the client.
  }

  @Override
  public void onResponseBody(HttpContent content) {
    boolean last = content instanceof io.netty.handler.codec.http.LastHttpContent;
    content.release();
    if (last) {
      end();
    }
  }

  @Override
  public void onReset(UpstreamFailure failure) {
    end();
  }

  @Override
  public void onWritable() {
  }

  void cancel() {
    if (ended) {
      return;
    }
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    if (stream != null) {
      stream.reset();
    }
    end();
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    while (!queue.isEmpty()) {
      queue.poll().release();
    }
    if (timer != null) {
      timer.cancel(false);
    }
    if (slot) {
      host.requestEnded();
      cluster.breakers().releaseRequest();
    }
  }
}
