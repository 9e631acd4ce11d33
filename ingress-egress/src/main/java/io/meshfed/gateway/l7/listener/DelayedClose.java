package io.meshfed.gateway.l7.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a downstream connection once what was written to it has been handed to the kernel, bounded as Envoy's HTTP
 * connection manager bounds it with {@code delayed_close_timeout} (1 s by default): a client that reads nothing
 * cannot hold the connection open, because the close goes ahead once the pending bytes have not moved between two
 * checks a timeout apart; a client still reading, however slowly, gets everything, because each check that sees
 * bytes leave waits once more. Unlike Envoy, which then waits up to the timeout for the client to close first, the
 * connection closes as soon as its bytes are out.
 */
public final class DelayedClose {

  /** Envoy's default {@code delayed_close_timeout}. */
  static final long TIMEOUT_MILLIS = 1000;

  private DelayedClose() {
  }

  /** Flushes {@code channel}, then closes it; within {@link #TIMEOUT_MILLIS} of the pending bytes last moving. */
  public static void closeAfterFlush(Channel channel) {
    closeAfterFlush(channel, TIMEOUT_MILLIS);
  }

  static void closeAfterFlush(Channel channel, long timeoutMillis) {
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    check(channel, pending(channel), timeoutMillis);
  }

  private static void check(Channel channel, long pendingBefore, long timeoutMillis) {
    if (!channel.isOpen()) {
      return;
    }
    if (channel.eventLoop().isShuttingDown()) {
      forceClose(channel);
      return;
    }
    ScheduledFuture<?> later = channel.eventLoop().schedule(() -> {
      long pending = pending(channel);
      if (pending > 0 && pending < pendingBefore) {
        check(channel, pending, timeoutMillis);
      } else {
        forceClose(channel);
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    // A closed connection's check is dropped, not left to hold the channel until it runs.
    channel.closeFuture().addListener(closed -> later.cancel(false));
  }

  /**
   * Closes beneath TLS: a close through it would queue close_notify behind the stuck bytes and wait for it as well
   * (Netty's 3 s, then a warning), for a client that is not reading.
   */
  private static void forceClose(Channel channel) {
    channel.unsafe().close(channel.voidPromise());
  }

  /** Bytes still to leave: a message counts in full until it has all gone, so what of it went is taken off. */
  private static long pending(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes() - buffer.currentProgress();
  }
}
