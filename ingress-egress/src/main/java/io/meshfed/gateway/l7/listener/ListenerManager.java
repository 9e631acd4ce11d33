package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.config.ConfigError;
import io.meshfed.gateway.l7.upstream.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds, updates and unbinds listeners to follow the serving snapshot. A listener whose address and port stay the
 * same is updated in place (new connections use the new spec; established ones keep theirs); a moved listener is
 * bound anew before the old one closes. A listener that cannot bind is reported and, if it was bound before, keeps
 * serving at its old address. A listener whose RDS route configuration has not arrived is warming (Envoy's LDS
 * semantics): it takes no traffic until the route does, and the version already serving, if any, keeps serving.
 * Owner context only.
 */
public final class ListenerManager {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerManager.class);

  private final Context owner;
  private final Transport transport;
  private final EventLoopGroup group;
  private final DataPlane dataPlane;
  private final Map<String, ListenerRuntime> bound = new HashMap<>();
  private final Set<String> warming = new HashSet<>();
  private final AtomicReference<Map<String, Integer>> ports = new AtomicReference<>(Map.of());
  /** Every server socket open, bound or being replaced: closing the engine must wait for each to close. */
  private final Set<Channel> servers = new HashSet<>();
  private final Set<Future<ConfigError>> bindsInFlight = new HashSet<>();
  /** Replaced or removed listeners whose connections may still be draining: closing the engine closes them too. */
  private final Set<ListenerRuntime> retired = new HashSet<>();
  private boolean closed;

  /**
   * Listeners on {@code group}'s event loops, serving through {@code dataPlane}, reconciled on {@code owner} (bind
   * results come back to it).
   */
  public ListenerManager(Context owner, Transport transport, EventLoopGroup group, DataPlane dataPlane) {
    this.owner = owner;
    this.transport = transport;
    this.group = group;
    this.dataPlane = dataPlane;
  }

  /**
   * Reconciles with {@code specs}, given the names of the route configurations the snapshot holds; the future
   * carries bind failures (as listener errors). Does nothing once {@link #closeAll} ran.
   */
  public Future<List<ConfigError>> reconcile(Map<String, ListenerSpec> specs, Set<String> routeConfigurations) {
    if (closed) {
      return Future.succeededFuture(List.of());
    }
    List<Future<ConfigError>> binds = new ArrayList<>();
    List<ListenerRuntime> replaced = new ArrayList<>();
    warming.retainAll(specs.keySet());
    for (ListenerSpec spec : specs.values()) {
      ListenerRuntime existing = bound.get(spec.name());
      List<String> awaited = awaitedRoutes(spec, routeConfigurations);
      if (!awaited.isEmpty()) {
        // The ADS stream sends LDS before RDS: binding now would answer 404 (NR) until the route lands.
        if (warming.add(spec.name())) {
          LOG.info("listener {} warming: waiting for route configuration {}{}", spec.name(), awaited,
              existing == null ? "" : "; its previous version keeps serving");
        }
        continue;
      }
      if (warming.remove(spec.name())) {
        LOG.info("listener {} warmed: its route configurations arrived", spec.name());
      }
      if (existing != null && sameAddress(existing.spec(), spec)) {
        existing.spec(spec);
        continue;
      }
      ListenerRuntime runtime = new ListenerRuntime(spec, dataPlane);
      Future<ConfigError> bind = bind(runtime).map(error -> {
        if (error == null) {
          if (existing != null) {
            replaced.add(existing);
          }
          bound.put(spec.name(), runtime);
        }
        return error;
      });
      bindsInFlight.add(bind);
      bind.onComplete(done -> bindsInFlight.remove(bind));
      binds.add(bind);
    }
    for (Map.Entry<String, ListenerRuntime> entry : List.copyOf(bound.entrySet())) {
      if (!specs.containsKey(entry.getKey())) {
        replaced.add(entry.getValue());
        bound.remove(entry.getKey());
      }
    }
    return Future.join(binds).transform(ignored -> {
      retired.removeIf(runtime -> runtime.openConnections() == 0);
      for (ListenerRuntime old : replaced) {
        close(old);
        retired.add(old);
      }
      publishPorts();
      List<ConfigError> errors = new ArrayList<>();
      for (Future<ConfigError> bind : binds) {
        if (bind.result() != null) {
          errors.add(bind.result());
        }
      }
      return Future.succeededFuture(errors);
    });
  }

  /** The RDS names {@code spec}'s chains use that {@code available} lacks. */
  private static List<String> awaitedRoutes(ListenerSpec spec, Set<String> available) {
    List<String> awaited = new ArrayList<>();
    List<FilterChainSpec> chains = new ArrayList<>(spec.chains());
    if (spec.defaultChain() != null) {
      chains.add(spec.defaultChain());
    }
    for (FilterChainSpec chain : chains) {
      String route = chain.http() == null ? null : chain.http().routeConfigName();
      if (route != null && !available.contains(route) && !awaited.contains(route)) {
        awaited.add(route);
      }
    }
    return awaited;
  }

  private static boolean sameAddress(ListenerSpec a, ListenerSpec b) {
    return a.address().equals(b.address()) && a.port() == b.port();
  }

  private Future<ConfigError> bind(ListenerRuntime runtime) {
    Promise<ConfigError> promise = Promise.promise();
    ListenerSpec spec = runtime.spec();
    new ServerBootstrap().group(group).channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            runtime.accept(channel);
          }
        })
        .bind(spec.address(), spec.port())
        .addListener(future -> owner.runOnContext(ignored -> {
          // Back on the owner: the maps this manager keeps are touched there only.
          if (future.isSuccess()) {
            Channel channel = ((io.netty.channel.ChannelFuture) future).channel();
            runtime.server(channel);
            servers.add(channel);
            channel.closeFuture().addListener(done -> owner.runOnContext(v -> servers.remove(channel)));
            LOG.info("listener {} bound on {}", spec.name(), channel.localAddress());
            promise.complete(null);
          } else {
            promise.complete(new ConfigError(ConfigError.Kind.LISTENER, spec.name(), "address",
                "cannot bind " + spec.address() + ":" + spec.port() + ": " + future.cause().getMessage()
                    + " (expected: a free port this process may bind)"));
          }
        }));
    return promise.future();
  }

  private void close(ListenerRuntime runtime) {
    if (runtime.server() != null) {
      runtime.server().close();
    }
    // Established connections finish on their own; draining tells them to.
    runtime.drain();
    runtime.closeTls();
  }

  private void publishPorts() {
    Map<String, Integer> current = new HashMap<>();
    for (ListenerRuntime runtime : bound.values()) {
      if (runtime.server() != null) {
        current.put(runtime.name(), ((InetSocketAddress) runtime.server().localAddress()).getPort());
      }
    }
    ports.set(Map.copyOf(current));
  }

  /** The bound port of a listener (its configured port, or the ephemeral one for port 0); any thread. */
  public Integer port(String listener) {
    return ports.get().get(listener);
  }

  /** Open downstream connections over all listeners. */
  public int openConnections() {
    int total = 0;
    for (ListenerRuntime runtime : bound.values()) {
      total += runtime.openConnections();
    }
    return total;
  }

  /** Starts draining every listener's connections. */
  public void drain() {
    for (ListenerRuntime runtime : bound.values()) {
      runtime.drain();
    }
  }

  /** Stops accepting on every listener. */
  public Future<Void> stopAccepting() {
    // Completes once every server socket is closed, so "drained" means a new connection is refused.
    List<Future<Void>> closes = new ArrayList<>();
    for (ListenerRuntime runtime : bound.values()) {
      if (runtime.server() != null) {
        closes.add(completion(runtime.server().close()));
      }
    }
    return Future.join(closes).mapEmpty();
  }

  /**
   * Closes everything: listeners and connections. Completes once every server socket is closed, since the event
   * loops stop next and io_uring leaves a socket whose close is still pending open for the life of the process.
   */
  public Future<Void> closeAll() {
    closed = true;
    // A bind in flight ends with its socket in servers: wait for it, so that socket is closed too.
    return Future.join(List.copyOf(bindsInFlight)).transform(ignored -> {
      List<Future<Void>> closes = new ArrayList<>();
      for (Channel server : List.copyOf(servers)) {
        closes.add(completion(server.close()));
      }
      for (ListenerRuntime runtime : bound.values()) {
        closes.add(completion(runtime.connections().close()));
        runtime.closeTls();
      }
      for (ListenerRuntime runtime : retired) {
        // Their TLS contexts went when they were replaced; only their draining connections are left.
        closes.add(completion(runtime.connections().close()));
      }
      bound.clear();
      retired.clear();
      publishPorts();
      return Future.join(closes).mapEmpty();
    });
  }

  /** A future completing on the owner, successfully, when {@code operation} does, however it ends. */
  private Future<Void> completion(io.netty.util.concurrent.Future<?> operation) {
    Promise<Void> done = Promise.promise();
    operation.addListener(ignored -> owner.runOnContext(v -> done.complete()));
    return done.future();
  }
}
