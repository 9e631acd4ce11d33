package io.meshfed.gateway.l7.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Connection-level timers of an HTTP/1.1 downstream connection, sitting before the decoder where it sees raw bytes:
 * the request-headers timeout (armed by a request's first byte, disarmed when its headers are decoded: a slowloris
 * trickling headers gets 408) and the connection idle timeout (no request in progress). As in Envoy, whose stream
 * exists from a request's first byte, headers in progress are no idle connection; with the headers timeout off, the
 * stream idle timeout bounds them instead, counted from their last byte. The proxy tells it when a request's headers
 * are complete and when the request ends. On a plaintext listener it is in place from the connection's start, so the
 * timers also cover protocol detection (a client that stalls before its protocol is known gets the same 408).
 */
public final class Http1ConnectionGuard extends ChannelDuplexHandler {

  private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\n"
      + "content-length: 0\r\nconnection: close\r\nx-meshfed-flags: DPE\r\n"
      + "x-meshfed-details: request_header_timeout\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final ConnectionContext connection;
  private final DataPlane dataPlane;
  private final long headersTimeoutNanos;
  private final long streamIdleTimeoutNanos;
  private final long idleTimeoutNanos;
  private ChannelHandlerContext context;
  private boolean inRequest;
  private boolean awaitingHeaders;
  private long awaitingSince;
  private long lastHeaderBytes;
  private long idleSince;
  // One timer per connection that re-arms itself, instead of a schedule and a cancel per request: requests on a
  // kept-alive connection only write timestamps.
  private ScheduledFuture<?> timer;
  private boolean closed;

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
    if (msg instanceof ByteBuf bytes && bytes.isReadable() && !inRequest) {
      if (!awaitingHeaders) {
        awaitingHeaders = true;
        awaitingSince = System.nanoTime();
        lastHeaderBytes = awaitingSince;
        arm(headersTimeoutNanos > 0 ? headersTimeoutNanos : streamIdleTimeoutNanos);
      } else if (headersTimeoutNanos == 0) {
        lastHeaderBytes = System.nanoTime();
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The proxy decoded a request's headers. */
  public void headersComplete() {
    awaitingHeaders = false;
    inRequest = true;
  }

  /** The proxy finished a request (response sent); the connection is idle until the next one. */
  public void requestFinished() {
    inRequest = false;
    idleSince = System.nanoTime();
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
    if (awaitingHeaders && headersTimeoutNanos > 0) {
      long left = awaitingSince + headersTimeoutNanos - now;
      if (left <= 0) {
        headersTimedOut();
        return;
      }
      arm(left);
    } else if (awaitingHeaders && streamIdleTimeoutNanos > 0) {
      long left = lastHeaderBytes + streamIdleTimeoutNanos - now;
      if (left <= 0) {
        context.close();
        return;
      }
      arm(left);
    } else if (!inRequest && !awaitingHeaders && idleTimeoutNanos > 0) {
      long left = idleSince + idleTimeoutNanos - now;
      if (left <= 0) {
        context.close();
        return;
      }
      arm(left);
    } else if (idleTimeoutNanos > 0) {
      arm(idleTimeoutNanos);
    }
  }

  private void headersTimedOut() {
    dataPlane.headersTimedOut(connection);
    // Written from here, before the HTTP codecs: the response goes straight to the transport (or TLS).
    context.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(ChannelFutureListener.CLOSE);
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
