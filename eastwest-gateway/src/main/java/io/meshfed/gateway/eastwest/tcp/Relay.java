package io.meshfed.gateway.eastwest.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * One direction of a spliced connection: every buffer read here is written to the peer (ownership passes with the
 * write), flushed once per read batch. Backpressure: when the peer's outbound buffer passes its high-water mark,
 * reading here pauses; when it drains below the low mark ({@link #channelWritabilityChanged} on the peer's relay),
 * reading resumes. Half-close is propagated (FIN here → shutdown of the peer's output) and the pair closes when both
 * directions are done or either side closes. Both relays of a pair live on one event loop, so their shared state
 * needs no synchronization.
 */
public final class Relay extends ChannelInboundHandlerAdapter {

  /** State shared by the two relays of one connection pair: half-close and idleness. */
  public static final class Pair {
    private final long idleTimeoutNanos;
    private long lastActivity = System.nanoTime();
    private boolean downstreamInputShut;
    private boolean upstreamInputShut;
    private ScheduledFuture<?> idleCheck;

    public Pair(Duration idleTimeout) {
      this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** Starts the idle timer (Envoy's tcp_proxy idle_timeout): both sides silent that long closes the pair. */
    void startIdleTimer(Channel downstream, Channel upstream) {
      if (idleTimeoutNanos <= 0 || idleCheck != null) {
        return;
      }
      long period = Math.max(idleTimeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(10));
      idleCheck = downstream.eventLoop().scheduleAtFixedRate(() -> {
        if (System.nanoTime() - lastActivity >= idleTimeoutNanos) {
          downstream.close();
          upstream.close();
        }
      }, period, period, TimeUnit.NANOSECONDS);
      downstream.closeFuture().addListener(closed -> idleCheck.cancel(false));
    }

    /** Marks the downstream's input as already shut (a FIN that arrived before the upstream was connected). */
    public void downstreamInputShut() {
      downstreamInputShut = true;
    }

    boolean downstreamInputWasShut() {
      return downstreamInputShut;
    }
  }

  private final Channel peer;
  private final Pair pair;
  private final boolean downstreamSide;
  private final LongConsumer bytes;

  /**
   * @param peer where bytes read here go
   * @param downstreamSide whether this relay reads the downstream connection
   * @param bytes told the size of each buffer read here (connection records)
   */
  public Relay(Channel peer, Pair pair, boolean downstreamSide, LongConsumer bytes) {
    this.peer = peer;
    this.pair = pair;
    this.downstreamSide = downstreamSide;
    this.bytes = bytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buffer) {
      bytes.accept(buffer.readableBytes());
    }
    pair.lastActivity = System.nanoTime();
    peer.write(msg, peer.voidPromise());
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // This side can take writes again: let the peer read.
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      if (downstreamSide) {
        pair.downstreamInputShut = true;
      } else {
        pair.upstreamInputShut = true;
      }
      if (pair.downstreamInputShut && pair.upstreamInputShut) {
        closeBoth(ctx.channel());
      } else {
        shutdownOutput(peer);
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  /** Flushes what is pending toward {@code channel}, then sends its FIN. */
  static void shutdownOutput(Channel channel) {
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
      if (channel instanceof DuplexChannel duplex && channel.isActive()) {
        duplex.shutdownOutput();
      } else {
        channel.close();
      }
    });
  }

  private void closeBoth(Channel self) {
    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    self.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Flush what this side sent before it went away, then close the peer.
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
    peer.close();
  }
}
