package io.meshfed.control.client.connection;

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
 * Closes a downstream connection after its last response so that the close cannot turn into a reset that loses the
 * response: in stages (RFC 9112 §9.6; "lingering close" in Apache httpd), each bounded as Envoy's HTTP connection
 * manager bounds it with {@code delayed_close_timeout} (1 s by default, not configurable here). The ingress and egress
 * gateways and the east-west gateway's HTTP forwarder all close this way.
 * <ol>
 *   <li>Flush: a client still reading, however slowly, gets every byte, because each check that sees bytes leave
 *   waits once more; a client that reads nothing cannot hold the connection, because the close goes ahead once the
 *   pending bytes have not moved between two checks a timeout apart.</li>
 *   <li>Linger: once the bytes are out, the write side is shut (close_notify first over TLS), so the client sees the
 *   end at once, and the connection waits for the client's close, for at most the timeout.</li>
 * </ol>
 * From the start, whatever the client still sends is read and dropped. Leaving it unread would block a client that
 * writes its whole request before reading (the rest of an upload refused with 413), and closing with bytes unread or
 * still arriving answers them with a reset, which fails the client's write before it reads the answer and can erase
 * that answer from its buffers. A client still sending when the timeout ends is reset all the same. Envoy waits the
 * same grace period for the client's close, sending its own FIN only at the end. Runs on the channel's event loop.
 */
public final class DelayedClose {

  /** Envoy's default {@code delayed_close_timeout}. */
  static final long TIMEOUT_MILLIS = 1000;

  private static final DropInput DROP_INPUT = new DropInput();

  private DelayedClose() {
  }

  /**
   * Flushes what was written to {@code channel}, then closes it in stages, each bounded by {@link #TIMEOUT_MILLIS}. A
   * second call on a connection already closing does nothing.
   */
  public static void closeAfterFlush(Channel channel) {
    closeAfterFlush(channel, TIMEOUT_MILLIS);
  }

  static void closeAfterFlush(Channel channel, long timeoutMillis) {
    if (!channel.isOpen() || channel.pipeline().get(DropInput.class) != null) {
      return;
    }
    // From now on nothing needs the client's bytes, and leaving them unread could block a client that writes its
    // whole request before reading (so the flush never ends) and turns any close into a reset.
    channel.pipeline().addFirst(DROP_INPUT);
    channel.config().setAutoRead(true);
    ChannelFuture flushed = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    flushed.addListener(done -> {
      if (done.isSuccess()) {
        // Run after the transport's write loop that completed the flush, not inside it.
        channel.eventLoop().execute(() -> linger(channel, timeoutMillis));
      } else {
        forceClose(channel);
      }
    });
    check(channel, flushed, pending(channel), timeoutMillis);
  }

  private static void check(Channel channel, ChannelFuture flushed, long pendingBefore, long timeoutMillis) {
    if (!channel.isOpen() || flushed.isDone()) {
      return;
    }
    if (channel.eventLoop().isShuttingDown()) {
      forceClose(channel);
      return;
    }
    ScheduledFuture<?> later = channel.eventLoop().schedule(() -> {
      if (flushed.isDone()) {
        return;
      }
      long pending = pending(channel);
      if (pending > 0 && pending < pendingBefore) {
        check(channel, flushed, pending, timeoutMillis);
      } else {
        forceClose(channel);
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    // A closed connection's check is dropped, not left to hold the channel until it runs.
    channel.closeFuture().addListener(closed -> later.cancel(false));
  }

  private static void linger(Channel channel, long timeoutMillis) {
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
    ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> forceClose(channel), timeoutMillis,
        TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> deadline.cancel(false));
  }

  /**
   * Closes at once, beneath TLS: a close through it would queue close_notify behind the stuck bytes and wait for it as
   * well (Netty's 3 s, then a warning), for a client that is not reading.
   */
  public static void forceClose(Channel channel) {
    if (channel.isOpen()) {
      channel.unsafe().close(channel.voidPromise());
    }
  }

  /** Bytes still to leave: a message counts in full until it has all gone, so what of it went is taken off. */
  private static long pending(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes() - buffer.currentProgress();
  }

  /**
   * At the head of a closing connection's pipeline: reads and drops what its client still sends, so neither TLS nor
   * HTTP sees another byte, and closes it at the client's end of input.
   */
  @ChannelHandler.Sharable
  private static final class DropInput extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
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
