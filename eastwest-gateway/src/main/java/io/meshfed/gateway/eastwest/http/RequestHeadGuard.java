package io.meshfed.gateway.eastwest.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Times each request head of an HTTP/1.1 connection from its first byte until the codec has decoded it: the
 * connection manager's {@code request_headers_timeout}, and its {@code stream_idle_timeout}, which in Envoy runs from
 * a stream's first byte too (the nearer one fires; equal ones count as the headers timeout). It sits before the HTTP
 * codec, where it sees raw bytes, from the connection's start (before protocol detection, whose wait it times too);
 * line breaks between requests are skipped, not a head's first byte (RFC 9112 section 2.2). The
 * {@link RequestForwarder} tells it what the codec decoded and when it has no request left to serve. When the deadline
 * passes it fires a {@link HeadTimeout} to the forwarder, which answers 408 and closes the connection in stages
 * ({@link io.meshfed.control.client.connection.DelayedClose}); from then on this guard drops what arrives.
 *
 * <p>A head that starts while the connection still serves a request (pipelined) is timed from that request's end, as
 * the forwarder reads it no sooner. Whether one has started by then is the codec's to tell
 * ({@link Http1ServerCodec#headInProgress()}): its first bytes may have come in the same read as the end of the
 * request before it, where from here they cannot be told apart from that request's body. Event-loop confined.
 */
final class RequestHeadGuard extends ChannelInboundHandlerAdapter {

  private final long headersTimeoutNanos;
  private final long deadlineNanos;
  private ChannelHandlerContext context;
  /** A head's first byte has arrived and the codec has not decoded the head yet. */
  private boolean headInProgress;
  /** A decoded head's body is still arriving: bytes now are that body's. */
  private boolean bodyInProgress;
  /** The forwarder has a request to answer (from a decoded head until it reports itself idle). */
  private boolean serving;
  private long headSince;
  private Http1ServerCodec codec;
  private ScheduledFuture<?> timer;
  private boolean timedOut;

  private RequestHeadGuard(long headersTimeoutNanos, long deadlineNanos) {
    this.headersTimeoutNanos = headersTimeoutNanos;
    this.deadlineNanos = deadlineNanos;
  }

  /** The guard for these timeouts (0 disables one), or {@code null} when both are disabled. */
  static RequestHeadGuard of(Duration requestHeadersTimeout, Duration streamIdleTimeout) {
    long headers = requestHeadersTimeout.toNanos();
    long idle = streamIdleTimeout.toNanos();
    long nearer = headers == 0 || idle == 0 ? Math.max(headers, idle) : Math.min(headers, idle);
    return nearer == 0 ? null : new RequestHeadGuard(headers, nearer);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (timedOut) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!headInProgress && !bodyInProgress && msg instanceof ByteBuf bytes
        && bytes.forEachByte(ByteProcessor.FIND_NON_CRLF) != -1) {
      headInProgress = true;
      headSince = System.nanoTime();
    }
    ctx.fireChannelRead(msg);
    // Armed only for a head this read did not complete: a head that arrives in one read costs no timer. The read may
    // have found HTTP/2 and taken this guard out.
    if (!ctx.isRemoved() && headInProgress && !serving && timer == null) {
      arm();
    }
  }

  /** The codec decoded {@code message}: a request head ends the head phase, a request's last part its body. */
  void decoded(Object message) {
    if (message instanceof HttpRequest) {
      headInProgress = false;
      bodyInProgress = true;
      serving = true;
      cancel();
    }
    if (message instanceof LastHttpContent) {
      bodyInProgress = false;
    }
  }

  /** The codec after this guard, which knows whether a head has begun by the time a request ends. */
  void watch(Http1ServerCodec serverCodec) {
    codec = serverCodec;
  }

  /** The forwarder answered its requests and has none queued: a head that has begun meanwhile is timed from now. */
  void idle() {
    serving = false;
    if (timedOut) {
      return;
    }
    if (headInProgress || (codec != null && codec.headInProgress())) {
      headInProgress = true;
      headSince = System.nanoTime();
      arm();
    }
  }

  /** When the head being timed started ({@link System#nanoTime()}), or the last request ended if that was later. */
  long headSince() {
    return headSince;
  }

  /** Whether a head is arriving and timed (the connection is not idle then, as Envoy's stream exists already). */
  boolean timing() {
    return headInProgress && !serving;
  }

  private void arm() {
    cancel();
    long left = headSince + deadlineNanos - System.nanoTime();
    timer = context.executor().schedule(this::expired, Math.max(0, left), TimeUnit.NANOSECONDS);
  }

  private void expired() {
    timer = null;
    if (!timing() || timedOut || context.isRemoved() || !context.channel().isActive()) {
      return;
    }
    timedOut = true;
    context.fireUserEventTriggered(deadlineNanos == headersTimeoutNanos ? HeadTimeout.REQUEST_HEADERS
        : HeadTimeout.STREAM_IDLE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }
}
