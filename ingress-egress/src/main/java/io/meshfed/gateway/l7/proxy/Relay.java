package io.meshfed.gateway.l7.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes read on its channel to a peer channel, with backpressure both ways (reading stops while the peer
 * cannot write), and closes the peer once its side closes. Two relays make a tunnel: WebSocket after 101, and TCP
 * passthrough. Both channels share an event loop.
 */
final class Relay extends ChannelInboundHandlerAdapter {

  /** Learns when a tunnel side closed and how many bytes went through it, and when its idle timer fired. */
  interface Listener {
    void closed(Relay side, long bytes);

    /** Its side's idle timer fired; the side closes right after. */
    default void idle(Relay side) {
    }
  }

  private final Channel peer;
  private final Listener listener;
  private Channel self;
  private long bytes;
  private boolean closed;

  Relay(Channel peer, Listener listener) {
    this.peer = peer;
    this.listener = listener;
  }

  long bytes() {
    return bytes;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    self = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buffer)) {
      // HTTP objects still in flight from a removed codec (the empty end of a 101): nothing to forward.
      ReferenceCountUtil.release(msg);
      return;
    }
    bytes += buffer.readableBytes();
    peer.write(buffer, peer.voidPromise());
    if (!peer.isWritable()) {
      self.config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  /** The peer became writable again: read on. Called by the peer's relay. */
  void peerWritable() {
    if (self != null) {
      self.config().setAutoRead(true);
    }
  }

  private Relay peerRelay() {
    return peer.pipeline().get(Relay.class);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Relay other = peerRelay();
    if (other != null && self.isWritable()) {
      other.peerWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      listener.idle(this);
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closed) {
      closed = true;
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      listener.closed(this, bytes);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
