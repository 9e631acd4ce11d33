package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Envoy's {@code tls_inspector}: buffers the first bytes of a connection without consuming them, reads the
 * ClientHello with a {@link ClientHelloReader}, fires a {@link HelloEvent}, and removes itself; on removal the
 * buffered bytes go down the pipeline unchanged (to be replayed upstream in passthrough, or decrypted by an
 * SslHandler in terminate mode). Bytes that are not TLS give a plaintext event; malformed or oversized hellos, or a
 * FIN before the hello completed, reject the connection.
 *
 * <p>Buffer ownership: every buffer read is merged into one cumulation owned here until it is fired on removal or
 * released when the connection closes.
 */
public final class ClientHelloDecoder extends ChannelInboundHandlerAdapter {

  /** Envoy's tls_inspector bound on a ClientHello. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;

  private final ClientHelloReader reader;
  private final int maxBytes;
  private ByteBuf cumulation;
  private boolean done;

  public ClientHelloDecoder(int maxBytes) {
    this.reader = new ClientHelloReader(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done || !(msg instanceof ByteBuf buffer)) {
      ctx.fireChannelRead(msg);
      return;
    }
    cumulation = cumulation == null ? buffer
        : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, buffer);
    ClientHello hello;
    try {
      hello = reader.read(cumulation);
    } catch (ClientHelloException e) {
      switch (e.kind()) {
        case NOT_TLS -> finish(ctx, HelloEvent.PLAINTEXT);
        case TOO_LARGE -> reject(ctx, RejectReason.HELLO_TOO_LARGE, e.getMessage());
        default -> reject(ctx, RejectReason.MALFORMED_HELLO, e.getMessage());
      }
      return;
    }
    if (hello != null) {
      finish(ctx, new HelloEvent(hello));
    } else if (cumulation.readableBytes() >= maxBytes) {
      reject(ctx, RejectReason.HELLO_TOO_LARGE, "ClientHello incomplete after " + cumulation.readableBytes()
          + " bytes (bound: " + maxBytes + ")");
    } else if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  private void finish(ChannelHandlerContext ctx, HelloEvent event) {
    done = true;
    ctx.fireUserEventTriggered(event);
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(this);
    }
  }

  private void reject(ChannelHandlerContext ctx, RejectReason reason, String detail) {
    done = true;
    release();
    Downstream.of(ctx.channel()).reject(reason, detail);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent && !done) {
      reject(ctx, RejectReason.MALFORMED_HELLO, "the client closed after "
          + (cumulation == null ? 0 : cumulation.readableBytes()) + " bytes, before the ClientHello completed");
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ByteBuf buffered = cumulation;
    cumulation = null;
    if (buffered == null) {
      return;
    }
    if (ctx.channel().isActive() && buffered.isReadable()) {
      ctx.fireChannelRead(buffered);
      ctx.fireChannelReadComplete();
    } else {
      buffered.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  private void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
