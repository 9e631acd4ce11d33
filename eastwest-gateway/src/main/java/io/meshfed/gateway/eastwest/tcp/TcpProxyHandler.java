package io.meshfed.gateway.eastwest.tcp;

import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.config.TcpProxyTarget;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.upstream.ClusterRuntime;
import io.meshfed.gateway.eastwest.upstream.UpstreamConnection;
import io.meshfed.gateway.eastwest.upstream.UpstreamConnector;
import io.meshfed.gateway.eastwest.upstream.UpstreamFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Queue;

/**
 * Envoy's {@code tcp_proxy} as the last handler of a downstream pipeline: connects to a host of the cluster, sends
 * what the downstream already sent (the buffered ClientHello in passthrough; decrypted bytes in terminate mode), then
 * replaces itself with a {@link Relay} pair. Until connected, downstream reads are held (auto-read off) and buffered
 * reads are owned here; a failed connect closes the downstream with {@code UH}, {@code UF} or {@code UO}.
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

  private static final WriteBufferWaterMark RELAY_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

  private final TcpProxyTarget target;
  private final ClusterRuntime cluster;
  private final UpstreamConnector connector;
  private final Queue<Object> pending = new ArrayDeque<>();
  private final Relay.Pair pair;
  private Future<UpstreamConnection> connecting;

  private final boolean halfClose;

  /**
   * @param cluster the target's cluster in the connection's snapshot, or {@code null} if it has none (NR)
   * @param halfClose carry half-closes on (opaque bytes: passthrough, plaintext); terminated TLS ends with
   *     close_notify, after which a FIN closes the connection
   */
  public TcpProxyHandler(TcpProxyTarget target, ClusterRuntime cluster, UpstreamConnector connector,
      boolean halfClose) {
    this.target = target;
    this.cluster = cluster;
    this.connector = connector;
    this.halfClose = halfClose;
    this.pair = new Relay.Pair(target.idleTimeout());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel downstream = ctx.channel();
    Downstream record = Downstream.of(downstream);
    record.cluster(target.cluster());
    if (cluster == null) {
      record.flag(ResponseFlag.NR);
      record.details("cluster " + target.cluster() + " is not configured");
      downstream.close();
      return;
    }
    if (!cluster.ready()) {
      record.flag(ResponseFlag.UH);
      record.details("cluster " + target.cluster() + " waits for " + cluster.config().missing());
      downstream.close();
      return;
    }
    downstream.config().setAutoRead(false);
    if (halfClose) {
      // An opaque TCP stream may half-close (a FIN one way while data still flows back): carry it on.
      downstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }
    InetSocketAddress remote = (InetSocketAddress) downstream.remoteAddress();
    int hashKey = remote == null ? 0 : remote.getAddress().hashCode();
    connecting = connector.connect(downstream.eventLoop(), cluster, target.maxConnectAttempts(), hashKey, halfClose,
        upstream -> upstream.pipeline().addLast(new Relay(downstream, pair, false, record::sent)));
    connecting.addListener(done -> connected(ctx, record));
  }

  private void connected(ChannelHandlerContext ctx, Downstream record) {
    Channel downstream = ctx.channel();
    if (connecting.isCancelled()) {
      releasePending();
      return;
    }
    if (!connecting.isSuccess()) {
      releasePending();
      if (connecting.cause() instanceof UpstreamFailure failure) {
        record.flags(failure.flags());
        record.details(failure.getMessage());
      } else {
        record.flags(EnumSet.of(ResponseFlag.UF));
        record.details(String.valueOf(connecting.cause()));
      }
      downstream.close();
      return;
    }
    UpstreamConnection connection = connecting.getNow();
    Channel upstream = connection.channel();
    record.host(connection.host());
    if (!downstream.isActive()) {
      releasePending();
      upstream.close();
      return;
    }
    downstream.closeFuture().addListener(closed -> {
      if (upstream.isActive()) {
        upstream.close();
      }
    });
    for (Object message = pending.poll(); message != null; message = pending.poll()) {
      upstream.write(message, upstream.voidPromise());
    }
    upstream.flush();
    // A slow reader may cost at most the high-water mark per direction (64 KiB): with thousands of connections that
    // bound, not throughput, is what matters (Envoy's default per-connection limit is 1 MiB, HAProxy's 2 x 16 KiB).
    downstream.config().setWriteBufferWaterMark(RELAY_WATER_MARK);
    upstream.config().setWriteBufferWaterMark(RELAY_WATER_MARK);
    ctx.pipeline().replace(this, "relay", new Relay(upstream, pair, true, record::received));
    if (pair.downstreamInputWasShut()) {
      Relay.shutdownOutput(upstream);
    }
    pair.startIdleTimer(downstream, upstream);
    upstream.config().setAutoRead(true);
    downstream.config().setAutoRead(upstream.isWritable());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof io.netty.buffer.ByteBuf buffer) {
      Downstream.of(ctx.channel()).received(buffer.readableBytes());
    }
    pending.add(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      pair.downstreamInputShut();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (connecting != null && !connecting.isDone()) {
      connecting.cancel(false);
    }
    releasePending();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePending();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void releasePending() {
    for (Object message = pending.poll(); message != null; message = pending.poll()) {
      ReferenceCountUtil.release(message);
    }
  }
}
