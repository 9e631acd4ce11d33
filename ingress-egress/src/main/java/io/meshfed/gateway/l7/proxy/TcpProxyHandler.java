package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.listener.ConnectionContext;
import io.meshfed.gateway.l7.listener.TcpProxySpec;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import io.meshfed.gateway.l7.upstream.ClusterPools;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code tcp_proxy} for SNI passthrough: picks a host of the chain's cluster, connects, replays the bytes
 * already read (the ClientHello the listener inspected) and relays both ways without touching TLS. Failures close
 * the client connection and are reported with Envoy's flags ({@code NC}, {@code UH}, {@code UO}, {@code UF}).
 */
final class TcpProxyHandler extends ChannelInboundHandlerAdapter implements Relay.Listener {

  private final ProxyContext proxy;
  private final ConnectionContext connection;
  private final TcpProxySpec spec;
  private final long startNanos = System.nanoTime();
  private final Instant startTime = Instant.now();
  private final List<Object> early = new ArrayList<>();
  private final EnumSet<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private Channel client;
  private Channel upstream;
  private Host host;
  private ClusterRuntime cluster;
  private Relay fromClient;
  private long received = -1;
  private long sent = -1;
  private boolean reported;

  TcpProxyHandler(ProxyContext proxy, ConnectionContext connection, TcpProxySpec spec) {
    this.proxy = proxy;
    this.connection = connection;
    this.spec = spec;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    client = ctx.channel();
    cluster = proxy.state().clusters().get(spec.cluster());
    if (cluster == null) {
      fail(ResponseFlag.NC);
      return;
    }
    ClusterPools pools = proxy.upstreams().pools(client.eventLoop(), cluster);
    host = pools.balancer().choose(cluster.hosts(), null, Set.of(), 0);
    if (host == null) {
      fail(ResponseFlag.UH);
      return;
    }
    if (!cluster.breakers().tryConnection()) {
      fail(ResponseFlag.UO);
      return;
    }
    client.config().setAutoRead(false);
    long connectTimeout = cluster.spec().connectTimeout().toMillis();
    new Bootstrap().group(client.eventLoop()).channel(proxy.upstreams().transport().channel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            if (spec.idleTimeout() != null) {
              channel.pipeline().addLast(new IdleStateHandler(0, 0, spec.idleTimeout().toMillis(),
                  TimeUnit.MILLISECONDS));
            }
            channel.pipeline().addLast(new Relay(client, TcpProxyHandler.this));
          }
        })
        .connect(host.address())
        .addListener(future -> {
          if (!future.isSuccess()) {
            cluster.breakers().releaseConnection();
            if (cluster.outlier() != null) {
              cluster.outlier().report(host, 503);
            }
            fail(ResponseFlag.UF);
            return;
          }
          upstream = ((io.netty.channel.ChannelFuture) future).channel();
          upstream.closeFuture().addListener(closed -> cluster.breakers().releaseConnection());
          fromClient = new Relay(upstream, this);
          client.pipeline().replace(this, "relay", fromClient);
          if (spec.idleTimeout() != null) {
            client.pipeline().addBefore("relay", "idle", new IdleStateHandler(0, 0,
                spec.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
          }
          for (Object message : early) {
            fromClient.channelRead(client.pipeline().context(fromClient), message);
          }
          early.clear();
          upstream.flush();
          client.config().setAutoRead(true);
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    early.add(msg);
  }

  private void fail(ResponseFlag flag) {
    flags.add(flag);
    for (Object message : early) {
      ReferenceCountUtil.release(message);
    }
    early.clear();
    client.close();
    report(0, 0);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (upstream == null) {
      for (Object message : early) {
        ReferenceCountUtil.release(message);
      }
      early.clear();
      if (!reported) {
        flags.add(ResponseFlag.DC);
        report(0, 0);
      }
    }
  }

  @Override
  public void closed(Relay side, long bytes) {
    if (side == fromClient) {
      received = bytes;
    } else {
      sent = bytes;
    }
    if (received >= 0 && sent >= 0) {
      report(received, sent);
    }
  }

  private void report(long in, long out) {
    if (reported) {
      return;
    }
    reported = true;
    proxy.report(new TcpOutcome(startTime, System.nanoTime() - startNanos, connection.listener(), connection.sni(),
        spec.cluster(), host == null ? "" : host.hostPort(), connection.remote(), ResponseFlag.render(flags), in,
        out));
  }
}
