package io.meshfed.gateway.eastwest.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
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
 *   <li>Linger: the write side is shut (after a TLS close_notify), so the client sees the end at once, and whatever it
 *   still sends (the rest of an upload answered early, a pipelined request) is read and dropped at the pipeline's head,
 *   before TLS or the codec, until it closes, for at most the timeout. Closing with those bytes unread would send a
 *   reset, which can fail the client's upload before it reads the response and drop the response from its receive
 *   buffer.</li>
 * </ol>
 * Envoy sends its FIN only when the client closes or the grace period ends; here the write side is shut as soon as the
 * response is out, which ends a client's wait for the response's end sooner and changes nothing else. Runs on the
 * channel's event loop.
 */
final class LingeringClose {

  /** Envoy's default {@code delayed_close_timeout}. */
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private LingeringClose() {
  }

  /** Flushes what was written to {@code channel}, then closes it in stages, each bounded by {@link #TIMEOUT_NANOS}. */
  static void afterResponse(Channel channel) {
    ChannelFuture flushed = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    flushed.addListener(done -> {
      if (done.isSuccess()) {
        linger(channel);
      } else {
        forceClose(channel);
      }
    });
    if (!flushed.isDone()) {
      watchFlush(channel, flushed, unsent(channel));
    }
  }

  /** Gives the flush another period while bytes leave; closes when a period passes in which none did. */
  private static void watchFlush(Channel channel, ChannelFuture flushed, long unsentBefore) {
    ScheduledFuture<?> check = channel.eventLoop().schedule(() -> {
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
    // The flush ends either way (its bytes left, or the channel closed and failed it): no check outlives it.
    flushed.addListener(done -> check.cancel(false));
  }

  private static void linger(Channel channel) {
    if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
      channel.close();
      return;
    }
    channel.pipeline().addFirst(DropInput.INSTANCE);
    // Reading may have been paused (a request body held back while the upstream connected, say): the client's bytes
    // and its close are only seen if it reads.
    channel.config().setAutoRead(true);
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    ChannelFuture closeNotify = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    closeNotify.addListener(sent -> duplex.shutdownOutput());
    ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> forceClose(channel), TIMEOUT_NANOS,
        TimeUnit.NANOSECONDS);
    channel.closeFuture().addListener(closed -> deadline.cancel(false));
  }

  /**
   * Closes beneath the pipeline: a close through TLS would queue its close_notify behind bytes a client is not reading
   * and wait for it to leave (Netty's close_notify flush timeout, 3 s).
   */
  private static void forceClose(Channel channel) {
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
   * The pipeline's head while a connection lingers: reads and drops what the client still sends. The client's close
   * (end of stream) closes the channel, as Netty does without half-closure.
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
  }
}
