package io.meshfed.gateway.l7.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Closes a downstream connection once what was written to it has left, as Envoy's HTTP connection manager does with
 * its {@code delayed_close_timeout} (1 s by default): a client that reads nothing cannot hold the connection open,
 * because the close goes ahead once the pending bytes have not moved for that long; a client still reading, however
 * slowly, gets everything, because each check that sees bytes leave waits once more.
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
    channel.eventLoop().schedule(() -> {
      if (!channel.isOpen()) {
        return;
      }
      long pending = pending(channel);
      if (pending > 0 && pending < pendingBefore) {
        check(channel, pending, timeoutMillis);
      } else {
        channel.close();
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Bytes still to leave: a message counts in full until it has all gone, so what of it went is taken off. */
  private static long pending(Channel channel) {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes() - buffer.currentProgress();
  }
}
