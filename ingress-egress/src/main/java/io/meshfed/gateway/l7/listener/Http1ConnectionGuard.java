package io.meshfed.gateway.l7.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Connection-level timers of an HTTP/1.1 downstream connection, sitting before the decoder where it sees raw bytes:
 * the request-headers timeout (armed by a request's first byte, disarmed when its headers are decoded: a slowloris
 * trickling headers gets 408) and the connection idle timeout (no request in progress). The proxy tells it when a
 * request's headers are complete and when the request ends.
 */
public final class Http1ConnectionGuard extends ChannelDuplexHandler {

  private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\n"
      + "content-length: 0\r\nconnection: close\r\nx-meshfed-flags: DPE\r\n"
      + "x-meshfed-details: request_header_timeout\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final ConnectionContext connection;
  private final DataPlane dataPlane;
  private final long headersTimeoutMillis;
  private final long idleTimeoutMillis;
  private ChannelHandlerContext context;
  private boolean inRequest;
  private boolean awaitingHeaders;
  private ScheduledFuture<?> headersTimer;
  private ScheduledFuture<?> idleTimer;

  Http1ConnectionGuard(ConnectionContext connection, DataPlane dataPlane, long headersTimeoutMillis,
                       long idleTimeoutMillis) {
    this.connection = connection;
    this.dataPlane = dataPlane;
    this.headersTimeoutMillis = headersTimeoutMillis;
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
    startIdle();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes && bytes.isReadable() && !inRequest && !awaitingHeaders) {
      awaitingHeaders = true;
      cancelIdle();
      if (headersTimeoutMillis > 0) {
        headersTimer = ctx.executor().schedule(this::headersTimedOut, headersTimeoutMillis, TimeUnit.MILLISECONDS);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The proxy decoded a request's headers. */
  public void headersComplete() {
    awaitingHeaders = false;
    inRequest = true;
    cancelIdle();
    if (headersTimer != null) {
      headersTimer.cancel(false);
      headersTimer = null;
    }
  }

  /** The proxy finished a request (response sent); the connection is idle until the next one. */
  public void requestFinished() {
    inRequest = false;
    startIdle();
  }

  private void headersTimedOut() {
    headersTimer = null;
    if (!awaitingHeaders || !context.channel().isActive()) {
      return;
    }
    dataPlane.headersTimedOut(connection);
    // Written from here, before the HTTP codecs: the response goes straight to the transport (or TLS).
    context.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(ChannelFutureListener.CLOSE);
  }

  private void startIdle() {
    cancelIdle();
    if (idleTimeoutMillis > 0 && context != null) {
      idleTimer = context.executor().schedule(() -> {
        if (!inRequest && !awaitingHeaders) {
          context.close();
        }
      }, idleTimeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelIdle() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelIdle();
    if (headersTimer != null) {
      headersTimer.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}
