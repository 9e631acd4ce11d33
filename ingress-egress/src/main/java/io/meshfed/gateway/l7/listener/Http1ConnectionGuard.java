package io.meshfed.gateway.l7.listener;

import io.meshfed.control.client.connection.DelayedClose;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connection-level timers of an HTTP/1.1 downstream connection, sitting before the decoder where it sees raw bytes:
 * the request-headers timeout (armed by a request's first byte, disarmed when its headers are decoded: a slowloris
 * trickling headers gets 408) and the connection idle timeout (no request in progress). As in Envoy, whose stream
 * exists from a request's first byte, headers in progress are no idle connection, and the stream idle timeout bounds
 * them too, from that first byte (whichever of the two comes first). The proxy tells it when a request's headers are
 * complete and when the request ends. Either timeout answers 408 ({@link HeadersTimeout}). On a plaintext listener it
 * is in place from the connection's start, so the timers also cover protocol detection (a client that stalls before
 * its protocol is known gets the same 408).
 */
public final class Http1ConnectionGuard extends ChannelDuplexHandler {

  private final ConnectionContext connection;
  private final DataPlane dataPlane;
  private final long headersTimeoutNanos;
  private final long streamIdleTimeoutNanos;
  private final long idleTimeoutNanos;
  private ChannelHandlerContext context;
  private StrictRequestDecoder decoder;
  private boolean inRequest;
  private boolean awaitingHeaders;
  private long awaitingSince;
  private long idleSince;
  // One timer per connection that re-arms itself, instead of a schedule and a cancel per request: requests on a
  // kept-alive connection only write timestamps.
  private ScheduledFuture<?> timer;
  private boolean closed;
  private boolean answered;

  Http1ConnectionGuard(ConnectionContext connection, DataPlane dataPlane, long headersTimeoutMillis,
                       long streamIdleTimeoutMillis, long idleTimeoutMillis) {
    this.connection = connection;
    this.dataPlane = dataPlane;
    this.headersTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headersTimeoutMillis);
    this.streamIdleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(streamIdleTimeoutMillis);
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    idleSince = System.nanoTime();
    arm(idleTimeoutNanos);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      // Read and dropped: nothing after the 408 is served, and bytes left unread would turn the close into a reset
      // that could lose the 408.
      ReferenceCountUtil.release(msg);
      return;
    }
    // Line breaks between requests are skipped, not a request's first byte (RFC 9112 §2.2).
    if (msg instanceof ByteBuf bytes && !inRequest && !awaitingHeaders
        && bytes.forEachByte(ByteProcessor.FIND_NON_CRLF) != -1) {
      headersStarted();
    }
    ctx.fireChannelRead(msg);
  }

  private void headersStarted() {
    awaitingHeaders = true;
    awaitingSince = System.nanoTime();
    arm(headersDeadline());
  }

  /** The nearer of the headers and stream idle timeouts (both from the request's first byte); 0 when neither. */
  private long headersDeadline() {
    if (headersTimeoutNanos == 0 || streamIdleTimeoutNanos == 0) {
      return Math.max(headersTimeoutNanos, streamIdleTimeoutNanos);
    }
    return Math.min(headersTimeoutNanos, streamIdleTimeoutNanos);
  }

  /** The decoder whose partly read request head {@link #requestFinished()} asks about. */
  void watch(StrictRequestDecoder requestDecoder) {
    decoder = requestDecoder;
  }

  /** The proxy decoded a request's headers. */
  public void headersComplete() {
    awaitingHeaders = false;
    inRequest = true;
  }

  /**
   * The proxy finished a request (response sent); the connection is idle until the next one, unless the next one's
   * head already arrived in part while this one was served (pipelined): its timeouts run from now.
   */
  public void requestFinished() {
    inRequest = false;
    idleSince = System.nanoTime();
    if (decoder != null && decoder.headInProgress()) {
      headersStarted();
    }
  }

  /** Makes sure the timer fires within {@code delay} (a later timer is kept; it re-checks when it fires). */
  private void arm(long delayNanos) {
    if (delayNanos <= 0 || closed) {
      return;
    }
    if (timer != null && timer.getDelay(TimeUnit.NANOSECONDS) <= delayNanos) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timer = context.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    timer = null;
    if (closed || !context.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    long deadline = headersDeadline();
    if (awaitingHeaders && deadline > 0) {
      long left = awaitingSince + deadline - now;
      if (left > 0) {
        arm(left);
      } else {
        timedOut(deadline == headersTimeoutNanos ? HeadersTimeout.REQUEST_HEADERS : HeadersTimeout.STREAM_IDLE);
      }
    } else if (!inRequest && !awaitingHeaders && idleTimeoutNanos > 0) {
      long left = idleSince + idleTimeoutNanos - now;
      if (left <= 0) {
        context.close();
        return;
      }
      arm(left);
    } else if (idleTimeoutNanos > 0) {
      // A request, or headers with no deadline, in progress: look again later, for the idle time after it.
      arm(idleTimeoutNanos);
    }
  }

  private void timedOut(HeadersTimeout timeout) {
    dataPlane.headersTimedOut(connection, timeout);
    // Written from here, before the HTTP codecs: the response goes straight to the transport (or TLS).
    stop();
    answered = true;
    context.write(Unpooled.wrappedBuffer(timeout.response()));
    DelayedClose.closeAfterFlush(context.channel());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  /**
   * Taken out when protocol detection finds HTTP/2 and when an upgrade turns the connection into a tunnel: its timer
   * must not keep firing on a connection it no longer watches.
   */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
