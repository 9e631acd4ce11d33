package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.upstream.PendingStream;
import io.meshfed.gateway.l7.upstream.StreamCallback;
import io.meshfed.gateway.l7.upstream.StreamListener;
import io.meshfed.gateway.l7.upstream.UpstreamFailure;
import io.meshfed.gateway.l7.upstream.UpstreamStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One upstream try of an exchange: waits for a stream from the host's pool, writes the request head and body as
 * the downstream delivers it (pausing the downstream while the upstream cannot take more), and hands the response
 * back. Holds the cluster's request slot (and retry slot for a retry) and the host's active-request count until it
 * ends. Event-loop confined.
 */
final class Attempt implements StreamListener, StreamCallback {

  private final Exchange exchange;
  private final Host host;
  private final boolean retrySlot;
  private UpstreamStream stream;
  private PendingStream pending;
  private int next;
  private boolean cancelled;
  private boolean ended;
  private boolean completed;
  private boolean responsePaused;
  private ScheduledFuture<?> perTryTimer;
  private long startNanos;

  Attempt(Exchange exchange, Host host, boolean retrySlot) {
    this.exchange = exchange;
    this.host = host;
    this.retrySlot = retrySlot;
  }

  Host host() {
    return host;
  }

  long startNanos() {
    return startNanos;
  }

  UpstreamStream stream() {
    return stream;
  }

  void begin() {
    startNanos = System.nanoTime();
    host.requestStarted();
    if (exchange.requestComplete()) {
      startPerTryTimer();
    }
    pending = exchange.pools.acquire(host, this, this);
  }

  /** The downstream request ended: Envoy's per-try timeout counts from here. */
  void requestComplete() {
    startPerTryTimer();
  }

  private void startPerTryTimer() {
    if (perTryTimer == null && !ended && exchange.retry != null && exchange.retry.perTryTimeout() != null) {
      perTryTimer = exchange.loop.schedule(this::perTryTimeout, exchange.retry.perTryTimeout().toNanos(),
          TimeUnit.NANOSECONDS);
    }
  }

  private void perTryTimeout() {
    perTryTimer = null;
    if (cancelled || ended) {
      return;
    }
    cancelled = true;
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    if (stream != null) {
      stream.reset();
    }
    end();
    exchange.attemptFailed(this, null, true);
  }

  boolean ready() {
    return stream != null && !cancelled;
  }

  boolean wroteBody() {
    return next > 0;
  }

  @Override
  public void onStream(UpstreamStream opened) {
    pending = null;
    if (cancelled) {
      opened.reset();
      return;
    }
    stream = opened;
    HttpRequest head = exchange.upstreamHead(opened.http2());
    RequestBody body = exchange.body;
    if (!opened.http2() && next == 0 && body.complete() && body.onlyAnEmptyEnd()) {
      // A bodiless request goes out as one message: one pass through the encoder instead of a head and an end.
      stream.write(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
          Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE));
      next = 1;
      body.written(next);
      stream.flush();
      return;
    }
    stream.write(head);
    pump();
  }

  @Override
  public void onFailure(UpstreamFailure failure) {
    pending = null;
    if (cancelled) {
      return;
    }
    end();
    exchange.attemptFailed(this, failure, false);
  }

  /** Writes what the downstream delivered and the upstream can take; pauses or resumes the downstream. */
  void pump() {
    RequestBody body = exchange.body;
    int end = body.end();
    while (next < end && stream.isWritable()) {
      stream.write(body.get(next++));
    }
    body.written(next);
    stream.flush();
    if (next < end) {
      exchange.downstream.pauseReading();
    } else if (!body.complete()) {
      exchange.downstream.resumeReading();
    }
  }

  @Override
  public void onWritable() {
    if (ready() && !exchange.done()) {
      pump();
    }
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    if (!cancelled) {
      exchange.attemptResponseHead(this, head);
    }
  }

  @Override
  public void onResponseBody(HttpContent content) {
    if (cancelled) {
      content.release();
      return;
    }
    exchange.attemptResponseBody(this, content);
  }

  @Override
  public void onReadComplete() {
    if (!cancelled) {
      exchange.attemptReadComplete(this);
    }
  }

  @Override
  public void onReset(UpstreamFailure failure) {
    if (cancelled) {
      return;
    }
    end();
    exchange.attemptFailed(this, failure, false);
  }

  void pauseResponse() {
    if (stream != null && !responsePaused) {
      responsePaused = true;
      stream.setAutoRead(false);
    }
  }

  void resumeResponse() {
    if (stream != null && responsePaused) {
      responsePaused = false;
      stream.setAutoRead(true);
    }
  }

  /** The response completed: the stream returns to its pool by itself. */
  void complete() {
    completed = true;
    end();
  }

  /** Gives up the upstream stream even though its response completed (request still streaming). */
  void abandon() {
    if (stream != null) {
      stream.reset();
    }
  }

  /** Stops this attempt: waits no more, resets its stream. */
  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    if (stream != null && !completed) {
      stream.reset();
    }
    end();
  }

  /** Ends the accounting without touching the stream (an upgraded WebSocket connection leaves the pool). */
  void releaseSlots() {
    end();
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (perTryTimer != null) {
      perTryTimer.cancel(false);
      perTryTimer = null;
    }
    host.requestEnded();
    exchange.cluster.breakers().releaseRequest();
    if (retrySlot) {
      exchange.cluster.breakers().releaseRetry();
    }
  }
}
