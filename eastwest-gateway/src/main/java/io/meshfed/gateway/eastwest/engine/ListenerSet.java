package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.config.GatewayConfig;
import io.meshfed.gateway.eastwest.config.ListenerConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bound server sockets, reconciled with each snapshot in two phases: {@link #prepare} binds what is new (a
 * listener added, or its address changed), {@link #commit} then closes what the published snapshot no longer has, or
 * {@link #rollback} closes what {@link #prepare} bound if the update is refused. A listener whose address did not
 * change keeps its socket: config changes never interrupt accepting. Touched only on the engine's control thread.
 */
final class ListenerSet {

  /** One bound listener. */
  record Bound(String name, InetSocketAddress requested, Channel channel) {
    InetSocketAddress address() {
      return (InetSocketAddress) channel.localAddress();
    }
  }

  /** The outcome of {@link #prepare}: what it bound, and the errors if any bind failed. */
  record Prepared(Map<String, Bound> next, List<Bound> added, List<ConfigError> errors) {
  }

  private final Engine engine;
  private final Transport transport;
  private final Map<String, InetSocketAddress> overrides;
  private Map<String, Bound> bound = new HashMap<>();
  /**
   * Every server socket open, bound or closing (replaced, rolled back): {@link #closeAll} closes and waits for each,
   * so that when it completes no port is held, not even by a listener an earlier update replaced. Concurrent: binds
   * complete on the event loops.
   */
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  /** What {@link #addresses} returns: republished at each commit so readers on any thread never wait. */
  private volatile Map<String, InetSocketAddress> addresses = Map.of();

  ListenerSet(Engine engine, Transport transport, Map<String, InetSocketAddress> overrides) {
    this.engine = engine;
    this.transport = transport;
    this.overrides = Map.copyOf(overrides);
  }

  CompletableFuture<Prepared> prepare(GatewayConfig config) {
    Map<String, Bound> next = new HashMap<>();
    List<CompletableFuture<Bound>> binds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ListenerConfig listener : config.listeners().values()) {
      InetSocketAddress requested = overrides.getOrDefault(listener.name(), listener.address());
      Bound existing = bound.get(listener.name());
      if (existing != null && existing.requested().equals(requested) && existing.channel().isActive()) {
        next.put(listener.name(), existing);
        continue;
      }
      names.add(listener.name());
      binds.add(bind(listener.name(), requested));
    }
    return CompletableFuture.allOf(binds.stream().map(b -> b.handle((ok, error) -> null))
            .toArray(CompletableFuture[]::new))
        .thenApply(ignored -> {
          List<Bound> added = new ArrayList<>();
          List<ConfigError> errors = new ArrayList<>();
          for (int i = 0; i < binds.size(); i++) {
            CompletableFuture<Bound> bind = binds.get(i);
            if (bind.isCompletedExceptionally()) {
              Throwable cause = bind.handle((ok, error) -> error).join();
              InetSocketAddress requested = overrides.getOrDefault(names.get(i),
                  config.listeners().get(names.get(i)).address());
              errors.add(new ConfigError(ResourceType.LISTENER, names.get(i), "address",
                  "cannot bind " + requested + ": " + rootMessage(cause)));
            } else {
              Bound ok = bind.join();
              added.add(ok);
              next.put(ok.name(), ok);
            }
          }
          return new Prepared(next, added, errors);
        });
  }

  void commit(Prepared prepared) {
    for (Bound old : bound.values()) {
      Bound kept = prepared.next().get(old.name());
      if (kept == null || kept.channel() != old.channel()) {
        old.channel().close();
      }
    }
    bound = prepared.next();
    publishAddresses();
  }

  private void publishAddresses() {
    Map<String, InetSocketAddress> published = new HashMap<>();
    bound.forEach((name, listener) -> published.put(name, listener.address()));
    addresses = Map.copyOf(published);
  }

  /** The bound address of each listener; safe from any thread. */
  Map<String, InetSocketAddress> addresses() {
    return addresses;
  }

  void rollback(Prepared prepared) {
    for (Bound added : prepared.added()) {
      added.channel().close();
    }
  }

  /**
   * Stops accepting on every listener (drain); the connections already accepted carry on. Completes once every
   * server socket is closed.
   */
  CompletableFuture<Void> closeAll() {
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    for (Channel server : List.copyOf(open)) {
      CompletableFuture<Void> closed = new CompletableFuture<>();
      server.close().addListener(done -> closed.complete(null));
      closes.add(closed);
    }
    bound = new HashMap<>();
    publishAddresses();
    return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Bound> bind(String name, InetSocketAddress address) {
    CompletableFuture<Bound> result = new CompletableFuture<>();
    ChannelFuture bind = new ServerBootstrap()
        .group(transport.group())
        .channelFactory(transport.serverChannels())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new DownstreamInitializer(engine, name))
        .bind(address);
    bind.addListener(done -> {
      if (done.isSuccess()) {
        open.add(bind.channel());
        bind.channel().closeFuture().addListener(closed -> open.remove(bind.channel()));
        result.complete(new Bound(name, address, bind.channel()));
      } else {
        result.completeExceptionally(done.cause());
      }
    });
    return result;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
