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
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code codec_type: AUTO}: HTTP/2 when ALPN negotiated {@code h2} or the connection starts with the HTTP/2
 * preface (RFC 9113 section 3.4, prior knowledge), HTTP/1.1 otherwise; then installs that codec and the forwarder
 * and removes itself, handing on the bytes it looked at.
 *
 * <p>Unless ALPN chose HTTP/2, the HTTP/1.1 connection timers (the {@link RequestHeadGuard} and the idle timeout) are
 * in place before it from the connection's start, so the wait for the protocol is timed as an HTTP/1.1 connection
 * is: a silent connection closes at the idle timeout, and one that sent the start of the preface and stopped gets the
 * head timeout's 408, as HTTP/1.1 (Envoy picks the codec from the first bytes it reads, HTTP/1.1 unless they hold the
 * preface's start, so a client stalled there is timed by its HTTP/1.1 codec too). The timers go when HTTP/2 is found,
 * and the {@link Http2ConnectionIdleTimer} times the connection from then on.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final HttpFrontends services;
  private final HttpTarget target;
  private final boolean tls;
  private final String listener;
  private ByteBuf buffered;
  private RequestHeadGuard guard;
  /** A drain asked this connection to finish while its protocol was not known yet. */
  private boolean draining;

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
    if ("h2".equals(alpn)) {
      install(ctx, true);
      return;
    }
    addConnectionTimers(ctx);
    if (target.codec() == HttpTarget.Codec.HTTP1 || "http/1.1".equals(alpn)) {
      install(ctx, false);
    }
  }

  /**
   * Before this handler, where raw bytes pass: the head guard (none when neither of its timeouts is set) and the idle
   * timeout, whose events reach this handler while it sniffs and the forwarder after.
   */
  private void addConnectionTimers(ChannelHandlerContext ctx) {
    guard = RequestHeadGuard.of(target.requestHeadersTimeout(), target.streamIdleTimeout());
    if (guard != null) {
      ctx.pipeline().addBefore(ctx.name(), "head-timeout", guard);
    }
    if (!target.idleTimeout().isZero()) {
      ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(0, 0, target.idleTimeout().toMillis(),
          TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof HeadTimeout) {
      // The start of the preface, and no more: answered as the HTTP/1.1 head it may be, by the forwarder. Its bytes
      // are dropped, not handed to the HTTP/1.1 codec: the connection closes after the 408, and the preface's first
      // line would decode as a request of its own.
      buffered.release();
      buffered = null;
      install(ctx, false);
      ctx.fireUserEventTriggered(event);
    } else if (event instanceof IdleStateEvent) {
      // A connection that sent nothing is idle; one that began a head is bounded by the guard, when it has one.
      if (guard == null || !guard.timing()) {
        ctx.close();
      }
    } else if (event instanceof DrainEvent) {
      if (buffered == null) {
        ctx.close();
      } else {
        draining = true;
      }
    } else {
      ctx.fireUserEventTriggered(event);
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
      // HTTP/2 has no head phase to time, and its idle connections are timed by their streams, not their bytes.
      if (guard != null) {
        ctx.pipeline().remove(guard);
      }
      if (ctx.pipeline().get("idle") != null) {
        ctx.pipeline().remove("idle");
      }
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
      String beforeDrain = "h2-streams";
      if (!target.idleTimeout().isZero()) {
        ctx.pipeline().addAfter("h2-streams", "h2-idle", new Http2ConnectionIdleTimer(target.idleTimeout()));
        beforeDrain = "h2-idle";
      }
      ctx.pipeline().addAfter(beforeDrain, "h2-drain", new Http2Drain());
    } else {
      Http1ServerCodec codec = new Http1ServerCodec(4096, target.maxRequestHeadersBytes(), 8192);
      if (guard != null) {
        guard.watch(codec);
      }
      ctx.pipeline().addAfter(self, "h1", codec);
      ctx.pipeline().addAfter("h1", "forwarder", new RequestForwarder(services, target, tls, listener, false));
    }
    ctx.pipeline().remove(this);
    if (draining) {
      ctx.fireUserEventTriggered(DrainEvent.INSTANCE);
    }
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

  /**
   * Ends an HTTP/2 connection gracefully on a drain, and at the idle timeout ({@link Http2ConnectionIdleTimer}), where
   * Envoy runs the same drain sequence: GOAWAY {@code NO_ERROR} with the last stream the gateway took, then the
   * codec closes the connection once the streams in flight have ended (none at the idle timeout; a drain's deadline
   * bounds the wait for them).
   */
  static final class Http2Drain extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof DrainEvent || event instanceof IdleStateEvent) {
        Channel channel = ctx.channel();
        channel.close();
        return;
      }
      ctx.fireUserEventTriggered(event);
    }
  }
}
