package io.meshfed.gateway.eastwest.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends an HTTP/1.1 connection after its last response so that the close cannot turn into a reset that loses the
 * response: in stages (RFC 9112 section 9.6; "lingering close" in Apache httpd), each bounded as Envoy bounds the close
 * of a downstream connection with its connection manager's {@code delayed_close_timeout} (1 s by default, not
 * configurable here).
 * <ol>
 *   <li>Flush: the response leaves. A client reading slowly gets all of it, as the wait goes on while bytes leave;
 *   one that reads nothing cannot hold the connection, as the close goes ahead once a timeout passes in which
 *   nothing left.</li>
 *   <li>Linger: the write side is shut (after a TLS close_notify), so the client sees the end at once, and the
 *   connection waits for the client's close, for at most the timeout.</li>
 * </ol>
 * From the close's start, whatever the client still sends (the rest of an upload answered early, a pipelined request)
 * is read and dropped at the pipeline's head, before TLS or the codec, whatever paused reading before (backpressure
 * from the upstream, the bytes held while connecting). Leaving it unread would block a client that writes its whole
 * request before reading, so the flush would never end, and closing with bytes unread sends a reset, which can fail
 * the client's upload before it reads the response and drop the response from its receive buffer. A client still
 * sending when the timeout ends is reset all the same. Envoy sends its FIN only when the client closes or the grace
 * period ends; here the write side is shut as soon as the response is out, which ends a client's wait for the
 * response's end sooner and changes nothing else. Runs on the channel's event loop.
 *
 * <p>Its twin is ingress-egress's {@code io.meshfed.gateway.l7.listener.DelayedClose}, which does the same for the
 * ingress and egress gateways (this module does not depend on that one): a fix to either belongs in both.
 */
final class LingeringClose {

  /** Envoy's default {@code delayed_close_timeout}. */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private LingeringClose() {
  }

  /**
   * Flushes what was written to {@code channel}, then closes it in stages, each bounded by {@link #TIMEOUT_NANOS}. A
   * second call on a connection already closing does nothing.
   */
  static void afterResponse(Channel channel) {
    if (!channel.isOpen() || channel.pipeline().get(DropInput.class) != null) {
      return;
    }
    // From now on nothing needs the client's bytes. Reading may have been paused (an upstream not writable, the bytes
    // held while connecting) and no one resumes it on a closing connection: a client blocked writing its upload would
    // never read the response, so the flush would stall and end in a reset.
    channel.pipeline().addFirst(DropInput.INSTANCE);
    channel.config().setAutoRead(true);
    ChannelFuture flushed = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    flushed.addListener(done -> {
      if (done.isSuccess()) {
        // After the transport's write loop that completed the flush, not inside it.
        channel.eventLoop().execute(() -> linger(channel));
      } else {
        forceClose(channel);
      }
    });
    watchFlush(channel, flushed, unsent(channel));
  }

  /**
   * Gives the flush another period while bytes leave; closes when a period passes in which none did. One check at a
   * time: each looks at the flush itself, so none outlives it by more than a period and none piles up on it.
   */
  private static void watchFlush(Channel channel, ChannelFuture flushed, long unsentBefore) {
    if (!channel.isOpen() || flushed.isDone()) {
      return;
    }
    if (channel.eventLoop().isShuttingDown()) {
      forceClose(channel);
      return;
    }
    channel.eventLoop().schedule(() -> {
      if (flushed.isDone()) {
        return;
      }
      long unsent = unsent(channel);
      if (unsent < unsentBefore) {
        watchFlush(channel, flushed, unsent);
      } else {
        forceClose(channel);
      }
    }, TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
  }

  private static void linger(Channel channel) {
    if (!channel.isOpen()) {
      return;
    }
    if (!channel.isActive() || !(channel instanceof DuplexChannel duplex) || channel.eventLoop().isShuttingDown()) {
      forceClose(channel);
      return;
    }
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    ChannelFuture closeNotify = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    closeNotify.addListener(sent -> duplex.shutdownOutput());
    ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> forceClose(channel), TIMEOUT_NANOS,
        TimeUnit.NANOSECONDS);
    channel.closeFuture().addListener(closed -> deadline.cancel(false));
  }

  /**
   * Closes beneath the pipeline: a close through TLS would queue its close_notify behind bytes a client is not reading
   * and wait for it to leave (Netty's close_notify flush timeout, 3 s, then a warning).
   */
  static void forceClose(Channel channel) {
    if (channel.isOpen()) {
      channel.unsafe().close(channel.voidPromise());
    }
  }

  /** Bytes written and not yet sent; what of the message being written has gone is taken off. */
  private static long unsent(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes() - buffer.currentProgress();
  }

  /**
   * The pipeline's head while a connection closes: reads and drops what the client still sends, so neither TLS nor
   * HTTP sees another byte, and closes the connection at the client's end of input.
   */
  @ChannelHandler.Sharable
  private static final class DropInput extends ChannelInboundHandlerAdapter {

    static final DropInput INSTANCE = new DropInput();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // Nothing was passed on: nothing to complete.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        // Only with half-closure allowed: without it the transport closes the channel at the client's end itself.
        forceClose(ctx.channel());
        return;
      }
      ctx.fireUserEventTriggered(event);
    }
  }
}
