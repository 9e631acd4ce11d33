package io.meshfed.gateway.l7.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 upstream connection multiplexing streams; sits on the parent pipeline after the multiplex handler and
 * sees connection-level frames (SETTINGS, GOAWAY). Event-loop confined.
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {

  private final HostPool pool;
  private final Channel channel;
  private final long maxStreamsPerConnection;
  private long maxConcurrent = 100;
  private int active;
  private long opened;
  private boolean goingAway;
  private ScheduledFuture<?> idleTimer;

  Http2Connection(HostPool pool, Channel channel, long maxStreamsPerConnection) {
    this.pool = pool;
    this.channel = channel;
    this.maxStreamsPerConnection = maxStreamsPerConnection;
  }

  boolean hasCapacity() {
    return !goingAway && channel.isActive() && active < maxConcurrent
        && (maxStreamsPerConnection == 0 || opened < maxStreamsPerConnection);
  }

  boolean idle() {
    return active == 0;
  }

  void close() {
    channel.close();
  }

  /** Opens a stream; the callback learns the result. */
  void open(StreamListener listener, StreamCallback callback) {
    cancelIdleTimer();
    active++;
    opened++;
    Http2StreamHandler handler = new Http2StreamHandler(this, listener);
    new Http2StreamChannelBootstrap(channel)
        .handler(new io.netty.channel.ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), handler);
          }
        })
        .open()
        .addListener(future -> {
          if (future.isSuccess()) {
            callback.onStream(handler);
          } else {
            streamClosed();
            callback.onFailure(new UpstreamFailure(UpstreamFailure.Kind.CONNECTION_TERMINATION,
                "cannot open an HTTP/2 stream: " + future.cause()));
          }
        });
  }

  HostPool pool() {
    return pool;
  }

  void streamClosed() {
    active--;
    pool.h2StreamClosed(this);
    if (active == 0 && !goingAway && channel.isActive()) {
      long idle = pool.idleTimeoutMillis();
      if (idle > 0) {
        idleTimer = channel.eventLoop().schedule(() -> {
          channel.close();
        }, idle, TimeUnit.MILLISECONDS);
      }
    }
    if (active == 0 && (goingAway || (maxStreamsPerConnection > 0 && opened >= maxStreamsPerConnection))) {
      channel.close();
    }
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2SettingsFrame settings) {
        Long concurrent = settings.settings().maxConcurrentStreams();
        if (concurrent != null) {
          maxConcurrent = concurrent;
        }
        pool.h2Capacity(this);
      } else if (msg instanceof Http2GoAwayFrame) {
        goingAway = true;
        pool.h2GoingAway(this);
        if (active == 0) {
          channel.close();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelIdleTimer();
    goingAway = true;
    pool.closed(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    channel.close();
  }
}
