package io.meshfed.gateway.eastwest.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The tail of an upstream HTTP/1.1 connection: hands response objects to the exchange using the connection, or,
 * while the connection is parked in the pool, treats any byte or close as the end of it.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {

  private Exchange exchange;
  private ScheduledFuture<?> idleClose;
  private Runnable unpark;

  void attach(Exchange owner) {
    exchange = owner;
  }

  void detach() {
    exchange = null;
  }

  void parked(ScheduledFuture<?> closeLater, Runnable removeFromPool) {
    idleClose = closeLater;
    unpark = removeFromPool;
  }

  void takenFromPool() {
    if (idleClose != null) {
      idleClose.cancel(false);
      idleClose = null;
    }
    unpark = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange owner = exchange;
    if (owner == null) {
      // An idle upstream must not speak; whatever it sent, the connection cannot be reused.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse response) {
      owner.onResponse(response);
    }
    if (msg instanceof HttpContent content) {
      owner.onResponseContent(content);
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange owner = exchange;
    if (owner != null) {
      owner.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange owner = exchange;
    if (owner != null && ctx.channel().isWritable()) {
      owner.upstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange owner = exchange;
    exchange = null;
    if (owner != null) {
      owner.upstreamClosed();
    }
    if (unpark != null) {
      unpark.run();
      unpark = null;
    }
    takenFromPool();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
