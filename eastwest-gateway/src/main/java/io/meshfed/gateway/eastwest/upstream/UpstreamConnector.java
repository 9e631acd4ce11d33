package io.meshfed.gateway.eastwest.upstream;

import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.tls.GatewayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Connects to upstream hosts on the downstream connection's own event loop (no thread hop for the bytes that follow),
 * originating TLS (with the Istio SNI) when the host's transport socket asks for it. {@link #connect} moves on to
 * another host when a connect or handshake fails, up to {@code maxAttempts} (Envoy's tcp_proxy
 * {@code max_connect_attempts}). Every outcome feeds outlier detection; circuit breaker {@code max_connections} is
 * checked before connecting ({@code UO}).
 *
 * <p>The upstream channel starts with auto-read off: nothing is read before the caller has wired where bytes go.
 */
public final class UpstreamConnector {

  private final ChannelFactory<? extends Channel> channels;
  private final GatewayTls tls;

  public UpstreamConnector(ChannelFactory<? extends Channel> channels, GatewayTls tls) {
    this.channels = channels;
    this.tls = tls;
  }

  /**
   * An L4 connection to some host of the cluster.
   *
   * @param initializer adds the caller's handlers (after the TLS handler, if any) when the channel is created
   * @return the connection, or a failed future with an {@link UpstreamFailure}
   */
  public Future<UpstreamConnection> connect(EventLoop loop, ClusterRuntime cluster, int maxAttempts, int hashKey,
      boolean halfClose, Consumer<Channel> initializer) {
    Promise<UpstreamConnection> promise = loop.newPromise();
    attempt(loop, cluster, maxAttempts, hashKey, halfClose, initializer, new HashSet<>(), 1, promise);
    return promise;
  }

  private void attempt(EventLoop loop, ClusterRuntime cluster, int maxAttempts, int hashKey, boolean halfClose,
      Consumer<Channel> initializer, Set<Host> tried, int attempt, Promise<UpstreamConnection> promise) {
    if (promise.isDone()) {
      return;
    }
    Host host = cluster.pick(tried, hashKey);
    if (host == null) {
      Set<ResponseFlag> flags = tried.isEmpty() ? EnumSet.of(ResponseFlag.UH)
          : maxAttempts > 1 ? EnumSet.of(ResponseFlag.UF, ResponseFlag.URX) : EnumSet.of(ResponseFlag.UF);
      promise.tryFailure(new UpstreamFailure(flags, tried.isEmpty()
          ? "no healthy upstream in cluster " + cluster.name()
          : "no further host to try in cluster " + cluster.name() + " after " + tried, null));
      return;
    }
    connectHost(loop, cluster, host, false, halfClose, initializer).addListener(done -> {
      if (done.isSuccess()) {
        Channel channel = (Channel) done.getNow();
        if (!promise.trySuccess(new UpstreamConnection(channel, host, attempt))) {
          channel.close();
        }
        return;
      }
      if (done.cause() instanceof UpstreamFailure failure && failure.flags().contains(ResponseFlag.UO)) {
        promise.tryFailure(failure);
        return;
      }
      tried.add(host);
      if (attempt < maxAttempts) {
        attempt(loop, cluster, maxAttempts, hashKey, halfClose, initializer, tried, attempt + 1, promise);
      } else {
        Set<ResponseFlag> flags = maxAttempts > 1 ? EnumSet.of(ResponseFlag.UF, ResponseFlag.URX)
            : EnumSet.of(ResponseFlag.UF);
        promise.tryFailure(new UpstreamFailure(flags, done.cause().getMessage(), done.cause()));
      }
    });
  }

  /**
   * One attempt at one host: connect, then the TLS handshake if the host needs TLS. Outlier detection learns the
   * outcome.
   *
   * @param http whether to offer the HTTP/1.1 ALPN (the HTTP forwarder) rather than the L4 one
   * @param halfClose whether a FIN from the host only ends its direction (an opaque L4 relay carries it on)
   * @return the ready channel, or a failed future with an {@link UpstreamFailure} ({@code UF}, or {@code UO} when
   *     the circuit breaker refused)
   */
  public Future<Channel> connectHost(EventLoop loop, ClusterRuntime cluster, Host host, boolean http,
      boolean halfClose, Consumer<Channel> initializer) {
    Promise<Channel> promise = loop.newPromise();
    ClusterState state = cluster.state();
    if (state.connections.incrementAndGet() > cluster.config().circuitBreakers().maxConnections()) {
      state.connections.decrementAndGet();
      promise.setFailure(new UpstreamFailure(EnumSet.of(ResponseFlag.UO), "cluster " + cluster.name()
          + " is at max_connections " + cluster.config().circuitBreakers().maxConnections(), null));
      return promise;
    }
    SslContext context = http ? host.httpTls() : host.tls();
    Bootstrap bootstrap = new Bootstrap().group(loop).channelFactory(channels)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, Math.max(1, cluster.config().connectTimeout().toMillis())))
        .option(ChannelOption.TCP_NODELAY, true)
        // Opaque L4 relays carry half-closes on; an HTTP/1.1 upstream that sends FIN is simply gone.
        .option(ChannelOption.ALLOW_HALF_CLOSURE, halfClose)
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            if (context != null) {
              channel.pipeline().addLast("tls", tls.clientHandler(context, channel.alloc(), host.sni(),
                  host.address().getAddress().getHostAddress(), host.address().getPort()));
            }
            initializer.accept(channel);
          }
        });
    ChannelFuture connect = bootstrap.connect(host.address());
    Channel channel = connect.channel();
    channel.closeFuture().addListener(closed -> state.connections.decrementAndGet());
    connect.addListener(connected -> {
      if (!connected.isSuccess()) {
        fail(cluster, host, promise, "connect to " + host + " failed: " + connected.cause().getMessage(),
            connected.cause());
        return;
      }
      SslHandler ssl = channel.pipeline().get(SslHandler.class);
      if (ssl == null) {
        cluster.reportSuccess(host);
        promise.trySuccess(channel);
        return;
      }
      // BoringSSL needs reads to finish the handshake while auto-read is off.
      channel.read();
      ssl.handshakeFuture().addListener(handshake -> {
        if (handshake.isSuccess()) {
          cluster.reportSuccess(host);
          promise.trySuccess(channel);
        } else {
          channel.close();
          fail(cluster, host, promise, "TLS to " + host + " (SNI " + host.sni() + ") failed: "
              + handshake.cause().getMessage(), handshake.cause());
        }
      });
    });
    return promise;
  }

  private static void fail(ClusterRuntime cluster, Host host, Promise<Channel> promise, String detail,
      Throwable cause) {
    cluster.reportFailure(host, true);
    promise.tryFailure(new UpstreamFailure(EnumSet.of(ResponseFlag.UF), detail, cause));
  }
}
