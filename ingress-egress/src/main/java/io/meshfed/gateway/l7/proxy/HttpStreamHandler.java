package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.listener.ConnectionContext;
import io.meshfed.gateway.l7.listener.DelayedClose;
import io.meshfed.gateway.l7.listener.Http1ConnectionGuard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The downstream end of the proxy for one stream channel: an HTTP/1.1 connection (requests one after another,
 * pipelined ones queued) or one HTTP/2 stream. Creates an {@link Exchange} per request and carries its writes,
 * backpressure and end back to the channel. Event-loop confined.
 */
final class HttpStreamHandler extends ChannelInboundHandlerAdapter {

  private static final int MAX_PIPELINED = 64;

  private final ProxyContext proxy;
  private final ConnectionContext connection;
  private Channel channel;
  private boolean http2;
  private Http1ConnectionGuard guard;
  private Exchange current;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private boolean closing;
  private boolean dispatching;
  private StreamDeadline deadline;
  // HTTP/2 only: whether the client ended its side of the stream (END_STREAM), and the write of the response's end
  // while it had not, which the RST_STREAM(NO_ERROR) that stops the request must follow.
  private boolean requestEnded;
  private ChannelFuture responseEnd;

  HttpStreamHandler(ProxyContext proxy, ConnectionContext connection) {
    this.proxy = proxy;
    this.connection = connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    http2 = channel instanceof Http2StreamChannel;
    guard = http2 ? null : ctx.pipeline().get(Http1ConnectionGuard.class);
    deadline = new StreamDeadline(channel.eventLoop(), this::deadlineDue);
  }

  /** Makes sure the exchange in progress is asked to check its deadlines by {@code atNanos}. */
  void deadlineBy(long atNanos) {
    if (!closing) {
      deadline.by(atNanos);
    }
  }

  private void deadlineDue() {
    if (current != null) {
      current.checkDeadlines();
    }
  }

  Channel channel() {
    return channel;
  }

  boolean http2() {
    return http2;
  }

  ConnectionContext connection() {
    return connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LastHttpContent) {
      // A FullHttpRequest is one too: HEADERS with END_STREAM.
      requestEnded = true;
    }
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!http2 && (!queued.isEmpty() || (current != null && current.requestComplete()))) {
      // HTTP/1.1 pipelining: the next request waits for the current response (RFC 9112 §9.3.2).
      if (queued.size() >= MAX_PIPELINED) {
        ReferenceCountUtil.release(msg);
        closing = true;
        channel.close();
        return;
      }
      queued.add(msg);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest request && request.decoderResult().isFailure() && !channel.isActive()) {
      // Headers cut short by the client closing (or by the header timeout): no request to answer or log.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (guard != null) {
        guard.headersComplete();
      }
      HttpContent tail = null;
      HttpRequest head = request;
      // HTTP/1.1 frames the body by its headers (RFC 9112 §6.3); an HTTP/2 stream has one unless its HEADERS ended it.
      boolean expectBody = http2 || HttpUtil.getContentLength(request, 0L) > 0
          || HttpUtil.isTransferEncodingChunked(request);
      if (msg instanceof FullHttpRequest full) {
        // HTTP/2 HEADERS with END_STREAM, or a bodiless HTTP/1.1 request (StrictRequestDecoder): a head and an empty
        // end of body.
        head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        head.setDecoderResult(full.decoderResult());
        expectBody = full.content().isReadable();
        if (!expectBody && full.trailingHeaders().isEmpty()) {
          full.content().release();
          tail = LastHttpContent.EMPTY_LAST_CONTENT;
        } else {
          tail = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
        }
      }
      Exchange exchange = new Exchange(proxy, this, head, expectBody);
      current = exchange;
      exchange.start(tail);
    } else if (msg instanceof HttpContent content) {
      if (current != null) {
        current.onRequestBody(content);
      } else {
        content.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  void write(HttpObject part) {
    if (http2 && !requestEnded && part instanceof LastHttpContent) {
      // The response ends before the request: finished() resets the stream once this write is done.
      responseEnd = channel.write(part);
      return;
    }
    channel.write(part, channel.voidPromise());
  }

  void flush() {
    channel.flush();
  }

  boolean writable() {
    return channel.isWritable();
  }

  void pauseReading() {
    channel.config().setAutoRead(false);
  }

  void resumeReading() {
    if (!closing) {
      channel.config().setAutoRead(true);
    }
  }

  /**
   * The exchange ended with its response complete (its end written); {@code close}: an HTTP/1.1 connection cannot
   * carry another request. An HTTP/2 stream carries one request and ends by itself once both sides have ended it.
   */
  void finished(Exchange exchange, boolean close) {
    if (exchange != current) {
      return;
    }
    current = null;
    if (http2) {
      if (!requestEnded) {
        stopRequest();
      }
      return;
    }
    if (close || connection.draining()) {
      closing = true;
      releaseQueued();
      DelayedClose.closeAfterFlush(channel);
      return;
    }
    if (guard != null) {
      guard.requestFinished();
    }
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    if (dispatching) {
      return;
    }
    dispatching = true;
    try {
      while (!queued.isEmpty() && !closing && (current == null || !current.requestComplete())) {
        dispatch(queued.poll());
      }
    } finally {
      dispatching = false;
    }
  }

  /**
   * HTTP/2, the response complete before the request: the rest of the request will not be read, and RST_STREAM with
   * NO_ERROR asks the client to stop sending it without discarding the response (RFC 9113 §8.1), as Envoy resets
   * such a stream. Closing the stream channel would send CANCEL, which some clients take as a failed exchange,
   * dropping the 413 or 403 they just read. The reset follows the end's write: sent earlier, it would drop
   * response frames still waiting for the client's flow-control window. What the client sends before the reset is
   * sent is read and dropped here (reading returns it to the flow-control windows); what arrives after it, for a
   * stream the codec has forgotten, the codec drops, returning it to the connection's window (it also answers each
   * such frame with RST_STREAM(STREAM_CLOSED), for a stream already closed on the client's side). Once the reset is
   * written the codec closes the stream, and Netty closes this channel when its buffered frames are read: hence
   * reading stays on.
   */
  private void stopRequest() {
    ChannelFuture end = responseEnd;
    responseEnd = null;
    if (end == null) {
      // No response end was written (cannot happen through Exchange): nothing complete to keep.
      reset();
      return;
    }
    closing = true;
    deadline.cancel();
    // A stream channel holding unread frames stays open after its stream closed, and keeps the connection from
    // idling or finishing a drain.
    channel.config().setAutoRead(true);
    Channel stream = channel;
    end.addListener(written -> {
      if (written.isSuccess() && stream.isActive()) {
        stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
      } else {
        stream.close();
      }
    });
  }

  /**
   * Abandons the stream, its response cut short: an HTTP/1.1 connection is closed, an HTTP/2 stream reset with
   * CANCEL (what Netty sends when an open stream channel is closed).
   */
  void reset() {
    closing = true;
    releaseQueued();
    channel.close();
  }

  private void releaseQueued() {
    while (!queued.isEmpty()) {
      ReferenceCountUtil.release(queued.poll());
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null && channel.isWritable()) {
      current.onDownstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    deadline.cancel();
    releaseQueued();
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.onDownstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
