package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.meshfed.gateway.eastwest.connection.DrainEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code codec_type: AUTO}: HTTP/2 when ALPN negotiated {@code h2} or the connection starts with the HTTP/2
 * preface (RFC 9113 section 3.4, prior knowledge), HTTP/1.1 otherwise; then installs that codec and the forwarder
 * and removes itself, handing on the bytes it looked at.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final HttpFrontends services;
  private final HttpTarget target;
  private final boolean tls;
  private final String listener;
  private ByteBuf buffered;

  ProtocolSniffer(HttpFrontends services, HttpTarget target, boolean tls, String listener) {
    this.services = services;
    this.target = target;
    this.tls = tls;
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    String alpn = ssl == null ? null : ssl.applicationProtocol();
    if (target.codec() == HttpTarget.Codec.HTTP1 || "http/1.1".equals(alpn)) {
      install(ctx, false);
    } else if ("h2".equals(alpn)) {
      install(ctx, true);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buffer)) {
      ctx.fireChannelRead(msg);
      return;
    }
    buffered = buffered == null ? buffer
        : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffered, buffer);
    int length = Math.min(buffered.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(buffered, buffered.readerIndex(), PREFACE, 0, length);
    if (!prefix) {
      install(ctx, false);
    } else if (length == PREFACE.readableBytes()) {
      install(ctx, true);
    }
  }

  private void install(ChannelHandlerContext ctx, boolean http2) {
    String self = ctx.name();
    if (http2) {
      Http2MultiplexHandler multiplex = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
          stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
          stream.pipeline().addLast(new RequestForwarder(services, target, tls, listener, true));
        }
      });
      ctx.pipeline().addAfter(self, "h2", Http2FrameCodecBuilder.forServer()
          // Drain waits for streams itself (its deadline forces the end); the codec should not give up earlier.
          .gracefulShutdownTimeoutMillis(-1)
          .validateHeaders(true)
          .build());
      ctx.pipeline().addAfter("h2", "h2-streams", multiplex);
      ctx.pipeline().addAfter("h2-streams", "h2-drain", new Http2Drain());
    } else {
      // Before the codec, where a head's first byte can be seen; none when neither of its timeouts is set.
      RequestHeadGuard guard = RequestHeadGuard.of(target.requestHeadersTimeout(), target.streamIdleTimeout());
      String last = self;
      if (guard != null) {
        ctx.pipeline().addAfter(last, "head-timeout", guard);
        last = "head-timeout";
      }
      ctx.pipeline().addAfter(last, "h1", new HttpServerCodec(4096, target.maxRequestHeadersBytes(), 8192));
      last = "h1";
      if (!target.idleTimeout().isZero()) {
        ctx.pipeline().addAfter(last, "idle", new IdleStateHandler(0, 0, target.idleTimeout().toMillis(),
            TimeUnit.MILLISECONDS));
        last = "idle";
      }
      ctx.pipeline().addAfter(last, "forwarder", new RequestForwarder(services, target, tls, listener, false));
    }
    ctx.pipeline().remove(this);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ByteBuf pending = buffered;
    buffered = null;
    if (pending != null) {
      ctx.fireChannelRead(pending);
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (buffered != null) {
      buffered.release();
      buffered = null;
    }
    ctx.fireChannelInactive();
  }

  /** Drain on an HTTP/2 connection: close gracefully (GOAWAY, then the codec waits for open streams). */
  static final class Http2Drain extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof DrainEvent) {
        Channel channel = ctx.channel();
        channel.close();
        return;
      }
      ctx.fireUserEventTriggered(event);
    }
  }
}
