package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code listener_filters_timeout}: a connection whose ClientHello has not completed in time is rejected
 * ({@code hello_timeout}). A timer on the event loop, no thread held; removed when the {@link HelloEvent} passes.
 */
public final class InspectionTimeout extends ChannelInboundHandlerAdapter {

  private final Duration timeout;
  private ScheduledFuture<?> timer;

  public InspectionTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (timeout.isZero() || timeout.isNegative()) {
      return;
    }
    timer = ctx.executor().schedule(() -> {
      if (!ctx.isRemoved()) {
        Downstream.of(ctx.channel()).reject(RejectReason.HELLO_TIMEOUT,
            "no complete ClientHello within " + timeout.toMillis() + " ms");
      }
    }, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof HelloEvent) {
      cancel();
      ctx.fireUserEventTriggered(event);
      ctx.pipeline().remove(this);
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
