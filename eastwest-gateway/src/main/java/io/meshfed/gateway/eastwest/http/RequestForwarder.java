package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.connection.DrainEvent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The router filter for one HTTP/1.1 connection (requests one after another, pipelined requests held until their
 * turn) or one HTTP/2 stream: turns each request into an {@link Exchange}. On drain, an idle HTTP/1.1 connection
 * closes at once and a busy one after its response ({@code Connection: close}).
 */
final class RequestForwarder extends ChannelInboundHandlerAdapter {

  private final HttpFrontends services;
  private final HttpTarget target;
  private final boolean tls;
  private final String listener;
  private final boolean multiplexed;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Downstream record;
  private Exchange current;
  private boolean draining;

  RequestForwarder(HttpFrontends services, HttpTarget target, boolean tls, String listener, boolean multiplexed) {
    this.services = services;
    this.target = target;
    this.tls = tls;
    this.listener = listener;
    this.multiplexed = multiplexed;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    Channel connection = multiplexed ? context.channel().parent() : context.channel();
    record = Downstream.of(connection);
  }

  HttpFrontends services() {
    return services;
  }

  HttpTarget target() {
    return target;
  }

  boolean tls() {
    return tls;
  }

  String listener() {
    return listener;
  }

  boolean multiplexed() {
    return multiplexed;
  }

  boolean draining() {
    return draining;
  }

  Downstream record() {
    return record;
  }

  /** Where responses go: the HTTP/1.1 connection or the HTTP/2 stream. */
  Channel downstream() {
    return ctx.channel();
  }

  void pauseReading() {
    ctx.channel().config().setAutoRead(false);
  }

  void resumeReading() {
    if (current == null || !current.requestComplete()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (current != null && current.requestComplete()) {
      // Pipelined: the next request waits for this response.
      queued.add(msg);
      pauseReading();
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest request) {
      if (current != null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      current = new Exchange(this, request);
      Exchange exchange = current;
      exchange.start();
      if (exchange == current && exchange.requestComplete() && !multiplexed) {
        pauseReading();
      }
    } else if (msg instanceof HttpContent content) {
      if (current == null) {
        content.release();
        return;
      }
      Exchange exchange = current;
      exchange.onRequestContent(content);
      if (exchange == current && exchange.requestComplete() && !multiplexed) {
        pauseReading();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    if (current != null) {
      current.downstreamReadComplete();
    }
  }

  /** The exchange's response was sent; take the next request, or close when this connection is done. */
  void exchangeDone(Exchange exchange, boolean keepAlive) {
    if (exchange != current) {
      return;
    }
    current = null;
    if (multiplexed) {
      return;
    }
    if (!keepAlive) {
      releaseQueued();
      ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    while (current == null && !queued.isEmpty()) {
      dispatch(queued.poll());
    }
    if (current == null || !current.requestComplete()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    if (context.channel().isWritable() && current != null) {
      current.downstreamWritable();
    }
    context.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof IdleStateEvent) {
      // common_http_protocol_options.idle_timeout: only a connection without a request in flight is idle.
      if (current == null) {
        context.close();
      }
      return;
    }
    if (event instanceof DrainEvent) {
      draining = true;
      if (current == null && !multiplexed) {
        context.close();
      }
      return;
    }
    context.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    if (current != null) {
      current.downstreamClosed();
      current = null;
    }
    releaseQueued();
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    context.close();
  }

  private void releaseQueued() {
    for (Object message = queued.poll(); message != null; message = queued.poll()) {
      ReferenceCountUtil.release(message);
    }
  }
}
