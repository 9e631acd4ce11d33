package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.codec.RequestEncoder;
import io.meshfed.gateway.l7.codec.ResponseDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One pooled HTTP/1.1 upstream connection; it is its own stream while assigned. Lives at the end of the connection's
 * pipeline, after its {@link ResponseDecoder} and {@link RequestEncoder}; event-loop confined.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter implements UpstreamStream {

  private final HostPool pool;
  private final Channel channel;
  private StreamListener listener;
  private boolean requestDone;
  private boolean responseDone;
  private boolean keepAlive;
  private boolean skippingInformational;
  private long served;
  private ScheduledFuture<?> idleTimer;
  private long idleSince;
  private long idleTimeoutNanos;

  Http1Connection(HostPool pool, Channel channel) {
    this.pool = pool;
    this.channel = channel;
  }

  /** Assigns the connection to a new exchange. */
  void assign(StreamListener newListener) {
    idleSince = 0;
    listener = newListener;
    requestDone = false;
    responseDone = false;
    keepAlive = true;
    served++;
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
  }

  long served() {
    return served;
  }

  /**
   * Marks the connection idle. One timer per connection re-checks the idle time when it fires, so a busy pooled
   * connection costs no timer work per request.
   */
  void startIdleTimer(long idleMillis) {
    if (idleMillis <= 0) {
      return;
    }
    idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    idleSince = System.nanoTime();
    if (idleTimer == null) {
      idleTimer = channel.eventLoop().schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void checkIdle() {
    idleTimer = null;
    if (!channel.isActive()) {
      return;
    }
    if (idleSince != 0) {
      long left = idleSince + idleTimeoutNanos - System.nanoTime();
      if (left <= 0) {
        channel.close();
        return;
      }
      idleTimer = channel.eventLoop().schedule(this::checkIdle, left, TimeUnit.NANOSECONDS);
    } else {
      idleTimer = channel.eventLoop().schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  boolean isActive() {
    return channel.isActive();
  }

  void close() {
    channel.close();
  }

  @Override
  public void write(HttpObject part) {
    if (part instanceof HttpRequest request && !HttpUtil.isKeepAlive(request)) {
      keepAlive = false;
    }
    if (part instanceof LastHttpContent) {
      requestDone = true;
    }
    channel.write(part, channel.voidPromise());
    if (requestDone && responseDone) {
      finish();
    }
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
    if (listener != null) {
      listener = null;
      channel.close();
    }
  }

  @Override
  public Host host() {
    return pool.host();
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public void upgrade(io.netty.channel.ChannelHandler relay) {
    listener = null;
    cancelIdleTimer();
    pool.detached(this);
    // Called while the decoder hands on the decoded 101: Netty allows removing a decoder then (its own
    // HttpClientUpgradeHandler does so), and bytes read after the 101 reach the relay as raw buffers as it goes. The
    // encoder goes first, so that the client's bytes, relayed from then on, leave as they are.
    channel.pipeline().replace(this, "relay", relay);
    channel.pipeline().remove(RequestEncoder.class);
    channel.pipeline().remove(ResponseDecoder.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    StreamListener current = listener;
    if (current == null) {
      // A response nobody asked for: the connection is unusable.
      ReferenceCountUtil.release(msg);
      channel.close();
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        listener = null;
        channel.close();
        current.onReset(new UpstreamFailure(UpstreamFailure.Kind.PROTOCOL_ERROR,
            "invalid upstream response: " + response.decoderResult().cause().getMessage()));
        return;
      }
      int code = response.status().code();
      if (code >= 100 && code < 200 && code != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        skippingInformational = true;
      } else {
        if (!HttpUtil.isKeepAlive(response)) {
          keepAlive = false;
        }
        current.onResponseHead(response);
      }
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      if (skippingInformational) {
        if (content instanceof LastHttpContent) {
          skippingInformational = false;
        }
        content.release();
        return;
      }
      boolean last = content instanceof LastHttpContent;
      if (last) {
        responseDone = true;
      }
      if (listener == current) {
        current.onResponseBody(content);
      } else {
        content.release();
      }
      if (last && listener == current && requestDone) {
        finish();
      }
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

  private void finish() {
    listener = null;
    pool.released(this, keepAlive);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    StreamListener current = listener;
    if (current != null && channel.isWritable()) {
      current.onWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelIdleTimer();
    StreamListener current = listener;
    listener = null;
    pool.closed(this);
    if (current != null && !responseDone) {
      current.onReset(new UpstreamFailure(UpstreamFailure.Kind.CONNECTION_TERMINATION,
          "upstream closed the connection"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    channel.close();
  }
}
