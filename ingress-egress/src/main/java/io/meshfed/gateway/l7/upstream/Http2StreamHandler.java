package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.Host;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/** One upstream HTTP/2 stream; its pipeline converts frames to and from HTTP/1-style objects. */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter implements UpstreamStream {

  private final Http2Connection connection;
  private StreamListener listener;
  private Channel channel;
  private boolean responseDone;
  private boolean closed;

  Http2StreamHandler(Http2Connection connection, StreamListener listener) {
    this.connection = connection;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void write(HttpObject part) {
    channel.write(part, channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
  }

  @Override
  public void reset() {
    listener = null;
    if (channel != null) {
      // Closing an open stream channel sends RST_STREAM(CANCEL).
      channel.close();
    }
  }

  @Override
  public Host host() {
    return connection.pool().host();
  }

  @Override
  public boolean http2() {
    return true;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public void upgrade(io.netty.channel.ChannelHandler relay) {
    throw new UnsupportedOperationException("HTTP/1.1 upgrade on an HTTP/2 stream");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    StreamListener current = listener;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof Http2ResetFrame reset) {
      listener = null;
      boolean refused = reset.errorCode() == Http2Error.REFUSED_STREAM.code();
      current.onReset(new UpstreamFailure(refused ? UpstreamFailure.Kind.REFUSED_STREAM
          : UpstreamFailure.Kind.REMOTE_RESET, "upstream reset the stream: "
          + Http2Error.valueOf(reset.errorCode())));
      return;
    }
    if (msg instanceof FullHttpResponse full) {
      // Headers with END_STREAM: split into a head and an empty last chunk carrying the trailers.
      HttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
      int code = full.status().code();
      if (code >= 100 && code < 200) {
        full.release();
        return;
      }
      responseDone = true;
      current.onResponseHead(head);
      if (listener == current) {
        current.onResponseBody(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
      } else {
        full.release();
      }
      return;
    }
    if (msg instanceof HttpResponse head) {
      int code = head.status().code();
      if (code >= 100 && code < 200) {
        return;
      }
      current.onResponseHead(head);
      return;
    }
    if (msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) {
        responseDone = true;
      }
      current.onResponseBody(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    StreamListener current = listener;
    if (current != null) {
      current.onReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    StreamListener current = listener;
    if (current != null && ctx.channel().isWritable()) {
      current.onWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closed) {
      return;
    }
    closed = true;
    connection.streamClosed();
    StreamListener current = listener;
    listener = null;
    if (current != null && !responseDone) {
      current.onReset(new UpstreamFailure(UpstreamFailure.Kind.CONNECTION_TERMINATION,
          "upstream HTTP/2 stream closed"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
