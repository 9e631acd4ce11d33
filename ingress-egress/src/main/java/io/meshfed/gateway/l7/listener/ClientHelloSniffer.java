package io.meshfed.gateway.l7.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's {@code tls_inspector}: waits for the first bytes, tells TLS from plaintext, reads SNI from the ClientHello
 * without consuming it, picks the filter chain, installs its handlers and steps aside (the buffered bytes flow on to
 * them). A connection that sends no complete hello within the listener-filters timeout is closed.
 */
final class ClientHelloSniffer extends ByteToMessageDecoder {

  private static final Logger LOG = LoggerFactory.getLogger(ClientHelloSniffer.class);

  private final ListenerRuntime listener;
  private ScheduledFuture<?> timeout;

  ClientHelloSniffer(ListenerRuntime listener) {
    this.listener = listener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      LOG.debug("listener {}: no ClientHello from {} in time; closing", listener.name(), ctx.channel().remoteAddress());
      ctx.close();
    }, listener.dataPlane().limits().listenerFiltersTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    ClientHello.Result result = ClientHello.parse(in);
    boolean tls;
    String sni;
    switch (result.status()) {
      case NEED_MORE -> {
        return;
      }
      case NOT_TLS -> {
        tls = false;
        sni = "";
      }
      case MALFORMED -> {
        tls = true;
        sni = "";
      }
      default -> {
        tls = true;
        sni = result.hello().sni();
      }
    }
    FilterChainSpec chain = listener.spec().select(tls, sni);
    if (chain == null) {
      LOG.debug("listener {}: no filter chain for {} connection from {} (SNI '{}'); closing", listener.name(),
          tls ? "TLS" : "plaintext", ctx.channel().remoteAddress(), sni);
      in.skipBytes(in.readableBytes());
      ctx.close();
      return;
    }
    DownstreamPipelines.serve(ctx.channel(), listener, chain, sni);
    ctx.pipeline().remove(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    DownstreamPipelines.closeOnError(ctx, listener.name(), "ClientHello", cause);
  }
}
