package io.meshfed.gateway.l7.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connection-level state of an HTTP/2 downstream connection: counts open streams for the idle timeout, and sends
 * GOAWAY when the engine drains (Envoy's drain sequence: in-flight streams finish, no new ones).
 */
final class Http2ConnectionWatcher extends ChannelInboundHandlerAdapter {

  private final String listener;
  private final long idleTimeoutMillis;
  private ChannelHandlerContext context;
  private int open;
  private ScheduledFuture<?> idleTimer;
  private boolean goneAway;

  Http2ConnectionWatcher(String listener, long idleTimeoutMillis) {
    this.listener = listener;
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    startIdle();
  }

  void streamOpened() {
    open++;
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  void streamClosed() {
    open--;
    if (open == 0) {
      if (goneAway) {
        context.close();
      } else {
        startIdle();
      }
    }
  }

  /** Event loop only: sends GOAWAY; the connection closes when its streams are done. */
  void goAway() {
    if (goneAway || !context.channel().isActive()) {
      return;
    }
    goneAway = true;
    context.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    if (open == 0) {
      context.close();
    }
  }

  private void startIdle() {
    if (idleTimeoutMillis > 0) {
      idleTimer = context.executor().schedule(() -> {
        if (open == 0) {
          goAway();
        }
      }, idleTimeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Last in the connection's pipeline. The HTTP/2 codec passes a connection error on before it sends its GOAWAY (with
   * the error's code) and closes: closing here at once would send GOAWAY NO_ERROR in its place, so the close waits
   * for the codec (a no-op when the codec has closed the connection by then).
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    DownstreamPipelines.logFailure(ctx, listener, "HTTP/2 connection", cause);
    ctx.executor().execute(ctx::close);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleTimer != null) {
      idleTimer.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
