package io.meshfed.gateway.eastwest.http;

import io.meshfed.control.client.connection.DelayedClose;
import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.connection.DrainEvent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The router filter for one HTTP/1.1 connection (requests one after another, pipelined requests held until their
 * turn) or one HTTP/2 stream: turns each request into an {@link Exchange}. On drain, an idle HTTP/1.1 connection
 * closes at once and a busy one (a request in flight, or a head on its way) after its response
 * ({@code Connection: close}). On HTTP/1.1 it keeps the
 * {@link RequestHeadGuard} (if the connection has one) informed, and answers its {@link HeadTimeout}. An HTTP/1.1
 * connection that carries no further request closes after its last response by {@link DelayedClose}.
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
  /** The connection is ending (HTTP/1.1): nothing read from now on is a request to serve. */
  private boolean closing;
  private RequestHeadGuard headGuard;

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
    headGuard = multiplexed ? null : context.pipeline().get(RequestHeadGuard.class);
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
    if (!closing) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  void resumeReading() {
    if (!closing && (current == null || !current.requestComplete())) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (headGuard != null) {
      headGuard.decoded(msg);
    }
    if (msg instanceof HttpRequest request && request.decoderResult().isFailure() && !context.channel().isActive()) {
      // A head cut short by the connection's end (the client left, or the gateway closed it): the codec hands it on
      // as a failed request when the channel goes inactive. No one is left to answer, and it is no request to record.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!queued.isEmpty() || (current != null && current.requestComplete())) {
      // Pipelined: the next request waits for this response, and what follows a queued part waits behind it.
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

  /**
   * The exchange's response was sent ({@code responseEnd}: the write of its end); take the next request, or end this
   * connection ({@code keepAlive} false) or stream (its request did not end) when nothing more can follow.
   */
  void exchangeDone(Exchange exchange, boolean keepAlive, ChannelFuture responseEnd) {
    if (exchange != current) {
      return;
    }
    current = null;
    if (multiplexed) {
      Channel stream = ctx.channel();
      // The exchange and its timers are done, but the response's end may still wait in the codec for the client to
      // open its flow-control window, and a client that never does would keep the stream (and so the connection) for
      // ever. Envoy's HTTP/2 codec bounds that wait with stream_idle_timeout, counted once from when the end is
      // buffered (its pending flush timer, stat tx_flush_timeout; the connection manager's docs: "the amount of time
      // that Envoy will wait for the peer to open enough window to write any remaining stream data once the entirety
      // of stream data (local end stream is true) has been buffered"), and then resets the stream. This reset is
      // CANCEL, as for any response cut short here (Envoy sends NO_ERROR); it drops the frames still queued. It is
      // written, not left to the stream channel's close, which sends none once both ends of the stream were written.
      if (!responseEnd.isDone() && !target.streamIdleTimeout().isZero()) {
        ScheduledFuture<?> flush = stream.eventLoop().schedule(
            () -> stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)),
            target.streamIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        responseEnd.addListener(written -> flush.cancel(false));
      }
      if (!exchange.requestComplete()) {
        // The rest of the request will not be read. After a complete response, RST_STREAM with NO_ERROR asks the
        // client to stop sending without failing the response (RFC 9113 section 8.1); Envoy resets such a stream the
        // same way. It follows the response's end, as a reset drops frames still queued for the stream (flow
        // control). Closing the stream channel instead would send CANCEL, which is for a response cut short.
        responseEnd.addListener(written -> {
          if (written.isSuccess() && stream.isActive()) {
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
          } else {
            stream.close();
          }
        });
      }
      return;
    }
    if (!keepAlive) {
      closeConnection();
      return;
    }
    if (!ctx.channel().isActive()) {
      // The client is gone (its channelInactive is still to run): a queued request must not reach the upstream.
      releaseQueued();
      return;
    }
    // A queued request's body parts go with it: its exchange takes them until its request is complete.
    while (!queued.isEmpty() && (current == null || !current.requestComplete())) {
      dispatch(queued.poll());
    }
    if (current != null) {
      // Parts written upstream outside a read batch: no channelReadComplete follows to flush them.
      current.downstreamReadComplete();
    }
    if (closing) {
      // A queued request was answered and ended the connection.
      return;
    }
    if (current == null && headGuard != null) {
      headGuard.idle();
    }
    if (current == null && draining && (headGuard == null || !headGuard.timing())) {
      // A drain that came after the response's head announced keep-alive: nothing is in flight now. Envoy likewise adds
      // connection: close to the next response it encodes, and closes an idle connection.
      closeConnection();
      return;
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
    if (closing && (event instanceof IdleStateEvent || event instanceof HeadTimeout || event instanceof DrainEvent)) {
      // The connection is already on its way out, bounded by its lingering close.
      return;
    }
    if (event instanceof IdleStateEvent) {
      // common_http_protocol_options.idle_timeout: only a connection without a request in flight is idle, and a
      // head on its way, timed by the guard, is a request in flight (Envoy's stream exists from its first byte).
      if (current == null && (headGuard == null || !headGuard.timing())) {
        // Staged: the last response may still be leaving for a slow reader.
        closeConnection();
      }
      return;
    }
    if (event instanceof HeadTimeout timeout) {
      headTimedOut(timeout);
      return;
    }
    if (event instanceof DrainEvent) {
      draining = true;
      // A head on its way, timed by the guard, is a request in flight here too: its response says connection: close
      // and the connection closes after it (or after the guard's 408).
      if (current == null && !multiplexed && (headGuard == null || !headGuard.timing())) {
        // Staged: the last response may still be leaving for a slow reader.
        closeConnection();
      }
      return;
    }
    context.fireUserEventTriggered(event);
  }

  /**
   * A request head did not arrive in time: 408 and close, as Envoy does, counted and recorded as a request (one that
   * never had a method or path).
   */
  private void headTimedOut(HeadTimeout timeout) {
    // No exchange exists now: the guard times a head only while this forwarder has no request to serve. The rest of
    // this head, when the codec hands it on at the close, is dropped (closeConnection sets closing).
    Set<ResponseFlag> flags = EnumSet.of(timeout.flag());
    Channel channel = ctx.channel();
    channel.write(Messages.localReply(channel.alloc(), 408, flags, timeout.details(), true), channel.voidPromise());
    closeConnection();
    long since = headGuard.headSince();
    RequestLog.startedAt(this, Instant.now().minusNanos(System.nanoTime() - since), since)
        .response(408, flags, timeout.details())
        .emit();
  }

  /** Nothing more is read or served on this HTTP/1.1 connection: it closes once what was written has gone. */
  private void closeConnection() {
    closing = true;
    releaseQueued();
    DelayedClose.closeAfterFlush(ctx.channel());
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
    if (closing) {
      // A failure while the last response flushes (a TLS error, say): a close through TLS would wait up to Netty's
      // 3 s for a close_notify that cannot leave, then warn.
      DelayedClose.forceClose(context.channel());
      return;
    }
    context.close();
  }

  private void releaseQueued() {
    for (Object message = queued.poll(); message != null; message = queued.poll()) {
      ReferenceCountUtil.release(message);
    }
  }
}
