package io.meshfed.gateway.eastwest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The connection manager's {@code common_http_protocol_options.idle_timeout} for an HTTP/2 connection: Envoy's "period
 * in which there are no active requests". The timer runs from the connection's start as HTTP/2 and again whenever its
 * last active stream closes; a stream that opens stops it. Frames that open no stream (PING, SETTINGS, WINDOW_UPDATE)
 * do not keep the connection, as in Envoy ("HTTP/2 PINGs will not keep the connection alive"), which is why this is
 * not Netty's {@code IdleStateHandler}, the HTTP/1.1 timer, which any byte restarts.
 *
 * <p>When it fires it passes on an {@link IdleStateEvent}, as the HTTP/1.1 timer does, and the connection ends the way
 * a drain ends it ({@link ProtocolSniffer.Http2Drain}: GOAWAY, then the close). Sits after the HTTP/2 codec, whose
 * streams it watches. Event-loop confined.
 */
final class Http2ConnectionIdleTimer extends ChannelInboundHandlerAdapter {

  private final long timeoutNanos;
  private ChannelHandlerContext context;
  private Http2Connection connection;
  private ScheduledFuture<?> timer;

  /** {@code timeout} is positive: a disabled idle timeout (zero) needs no timer. */
  Http2ConnectionIdleTimer(Duration timeout) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: positive; leave the timer out when the "
          + "idle timeout is disabled)");
    }
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        cancel();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        // Called after the stream has left the active set.
        if (connection.numActiveStreams() == 0) {
          arm();
        }
      }
    });
    if (connection.numActiveStreams() == 0) {
      arm();
    }
  }

  private void arm() {
    cancel();
    if (!context.isRemoved() && context.channel().isActive()) {
      timer = context.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expired() {
    timer = null;
    // A stream that opened since cancelled the timer, so none is active here; the check only guards that ordering.
    if (!context.isRemoved() && context.channel().isActive() && connection.numActiveStreams() == 0) {
      context.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
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
