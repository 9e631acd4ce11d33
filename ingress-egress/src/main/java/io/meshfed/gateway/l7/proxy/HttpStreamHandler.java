package io.meshfed.gateway.l7.proxy;

import io.meshfed.control.client.connection.DelayedClose;
import io.meshfed.gateway.l7.listener.ConnectionContext;
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
import java.time.Duration;
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
  // HTTP/2 only: whether the client ended its side of the stream (END_STREAM); the write of the response's end, which
  // the RST_STREAM(NO_ERROR) that stops an unfinished request must follow; and, while that write waits for the
  // client's flow-control window after the exchange, when the stream is reset for it (System.nanoTime(), 0: never).
  private boolean requestEnded;
  private ChannelFuture responseEnd;
  private long responseEndDueAt;

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
    } else if (responseEndDueAt != 0) {
      if (System.nanoTime() - responseEndDueAt >= 0) {
        responseEndDueAt = 0;
        reset();
      } else {
        deadline.by(responseEndDueAt);
      }
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
    if (http2 && part instanceof LastHttpContent) {
      // finished() bounds how long this write may wait for the client's flow-control window, and, when the response
      // ends before the request, resets the stream once it is done.
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
      ChannelFuture end = responseEnd;
      responseEnd = null;
      if (end == null) {
        // No response end was written (cannot happen through Exchange): nothing complete to keep.
        reset();
        return;
      }
      if (!end.isDone()) {
        // Looked at only now, so a response that left at once (the usual case) costs no timer.
        boundResponseEnd(end, exchange.streamIdleTimeout());
      }
      if (!requestEnded) {
        stopRequest(end);
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
  private void stopRequest(ChannelFuture end) {
    closing = true;
    // The stream's deadline timer is left as it is: it may bound the end's write (boundResponseEnd), and is
    // cancelled when the channel closes after the reset.
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
   * HTTP/2: the exchange is over but its response's end still waits in the codec for the client to open its
   * flow-control window (Netty completes the write once the frame has left). A client that never does would keep the
   * stream, and so its connection (it does not idle, a drain waits for it), for ever. Envoy's HTTP/2 codec bounds
   * this wait with the stream idle timeout, counted once from when the end is buffered, then resets the stream (its
   * pending flush timer, stat {@code tx_flush_timeout}; HCM docs on {@code stream_idle_timeout}: "the amount of time
   * that Envoy will wait for the peer to open enough window to write any remaining stream data once the entirety of
   * stream data (local end stream is true) has been buffered"). So does this, with the stream's deadline timer, which
   * is usually still armed later than that for the exchange's own idle timeout, so this schedules nothing new.
   * {@code timeout} null: no stream idle timeout, no bound (as in Envoy).
   */
  private void boundResponseEnd(ChannelFuture end, Duration timeout) {
    if (timeout == null) {
      return;
    }
    // 0 means "none"; a deadline landing exactly on it moves a nanosecond.
    responseEndDueAt = (System.nanoTime() + timeout.toNanos()) | 1;
    deadline.by(responseEndDueAt);
    // Written or failed (the stream reset, the connection closed): nothing left to bound. The listener runs on this
    // event loop, which the stream channel shares with its connection.
    end.addListener(written -> {
      responseEndDueAt = 0;
      deadline.cancel();
    });
  }

  /**
   * Abandons the stream: an HTTP/1.1 connection is closed, an HTTP/2 stream reset with CANCEL, its response cut
   * short or its end dropped with whatever else still waits for the client's flow-control window.
   */
  void reset() {
    closing = true;
    releaseQueued();
    if (http2 && channel.isActive()) {
      // The reset is written, not left to the channel's close: Netty's stream channel sends none on close once it
      // has read the client's END_STREAM and written its own, and an END_STREAM counts as written once handed to
      // the codec, even while it still waits in the flow controller. The close then sends no second reset (the
      // codec sends one per stream).
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }
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
