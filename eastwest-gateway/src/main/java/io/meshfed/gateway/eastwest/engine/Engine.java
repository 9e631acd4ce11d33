package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.ApplyResult;
import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.XdsResources;
import io.meshfed.gateway.eastwest.config.ConfigTranslator;
import io.meshfed.gateway.eastwest.config.GatewayConfig;
import io.meshfed.gateway.eastwest.connection.DrainEvent;
import io.meshfed.gateway.eastwest.http.HttpFrontends;
import io.meshfed.gateway.eastwest.stats.Counters;
import io.meshfed.gateway.eastwest.tls.GatewayTls;
import io.meshfed.gateway.eastwest.upstream.ClusterRuntime;
import io.meshfed.gateway.eastwest.upstream.UpstreamConnector;
import io.meshfed.gateway.eastwest.upstream.UpstreamRegistry;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live engine behind {@link io.meshfed.gateway.eastwest.EastWestGateway}. Config updates run one at a time on a
 * control thread of their own (never an event loop): translate, materialize, bind new listeners, then publish the
 * snapshot with one volatile write; a refused update leaves the published snapshot serving. Event loops only read the
 * published snapshot. Internal: public only for the facade in the parent package.
 */
public final class Engine {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  /** How a drain ended. */
  public record DrainResult(int closedGracefully, int forced) {
  }

  private final Transport transport;
  private final EventExecutor control;
  private final Counters counters = new Counters();
  private final EngineServices services;
  private final Materializer materializer;
  private final ListenerSet listeners;
  private final ChannelGroup connections;
  private volatile GatewayRuntime current = GatewayRuntime.EMPTY;
  private volatile boolean accepting = true;
  private CompletableFuture<ApplyResult> lastApply = CompletableFuture.completedFuture(null);
  private final AtomicReference<CompletableFuture<Void>> closed = new AtomicReference<>();

  public Engine(int eventLoops, boolean preferNative, GatewayTls tls, ConnectionObserver observer, int maxHelloBytes,
      Map<String, InetSocketAddress> bindOverrides) {
    this.transport = Transport.create(eventLoops, preferNative);
    this.control = new DefaultEventExecutor(new DefaultThreadFactory("meshfed-eastwest-control", true));
    this.connections = new DefaultChannelGroup("meshfed-eastwest", control);
    UpstreamConnector connector = new UpstreamConnector(transport.channels(), tls);
    this.services = new EngineServices(connector, new HttpFrontends(connector, this::liveCluster, counters, observer),
        counters, observer, maxHelloBytes);
    this.materializer = new Materializer(tls, new UpstreamRegistry());
    this.listeners = new ListenerSet(this, transport, bindOverrides);
    LOG.info("east-west engine: {} event loops on {}", eventLoops, transport.name());
  }

  GatewayRuntime current() {
    return current;
  }

  EngineServices services() {
    return services;
  }

  private ClusterRuntime liveCluster(String name) {
    return current.cluster(name);
  }

  /** Registers an accepted connection for drain; false when the engine no longer accepts. */
  boolean track(Channel channel) {
    if (!accepting) {
      return false;
    }
    connections.add(channel);
    return true;
  }

  public Counters counters() {
    return counters;
  }

  public String transportName() {
    return transport.name();
  }

  /** The config published now, if any update was accepted. */
  public Optional<GatewayConfig> config() {
    return Optional.ofNullable(current.config());
  }

  /**
   * Applies one complete resource set. Updates are serialized in call order by chaining each onto the one before,
   * on the control thread (which alone touches {@code lastApply}).
   */
  public CompletableFuture<ApplyResult> apply(XdsResources resources) {
    return CompletableFuture.supplyAsync(() -> {
      CompletableFuture<ApplyResult> next = lastApply.handle((previous, error) -> null)
          .thenComposeAsync(ignored -> applyNow(resources), control);
      lastApply = next;
      return next;
    }, control).thenCompose(next -> next);
  }

  private CompletableFuture<ApplyResult> applyNow(XdsResources resources) {
    if (!accepting) {
      return CompletableFuture.completedFuture(new ApplyResult(resources.version(),
          List.of(), List.of("draining: update ignored")));
    }
    ConfigTranslator.Translation translation = ConfigTranslator.translate(resources);
    if (translation.config() == null) {
      return CompletableFuture.completedFuture(refused(resources, translation.errors()));
    }
    GatewayConfig config = translation.config();
    Materializer.Result materialized = materializer.materialize(config);
    if (materialized.runtime() == null) {
      return CompletableFuture.completedFuture(refused(resources, materialized.errors()));
    }
    return listeners.prepare(config).thenApplyAsync(prepared -> {
      if (!prepared.errors().isEmpty()) {
        listeners.rollback(prepared);
        materializer.rollback();
        return refused(resources, prepared.errors());
      }
      current = materialized.runtime();
      listeners.commit(prepared);
      materializer.commit(config);
      LOG.info("applied version {}: {} listeners, {} clusters{}", resources.version(), config.listeners().size(),
          config.clusters().size(), config.warming().isEmpty() ? "" : ", warming " + config.warming());
      return new ApplyResult(resources.version(), List.of(), config.warming());
    }, control);
  }

  private ApplyResult refused(XdsResources resources, List<ConfigError> errors) {
    LOG.warn("refused version {} ({} errors; the last good config keeps serving): {}", resources.version(),
        errors.size(), errors);
    return new ApplyResult(resources.version(), errors, List.of());
  }

  /** The address a listener is bound to, if it is. */
  public Optional<InetSocketAddress> boundAddress(String listener) {
    return Optional.ofNullable(listeners.addresses().get(listener));
  }

  /** Stops accepting new connections; established ones continue. */
  public CompletableFuture<Void> stopAccepting() {
    accepting = false;
    return closeListeners();
  }

  /**
   * Closes every listener once the update in flight, if any, is done: an update still binding would otherwise
   * commit a socket after the listeners were closed. Updates that start later are ignored ({@code accepting}).
   */
  private CompletableFuture<Void> closeListeners() {
    return CompletableFuture.supplyAsync(() -> lastApply.handle((result, error) -> null), control)
        .thenCompose(inFlight -> inFlight)
        .thenComposeAsync(ignored -> listeners.closeAll(), control);
  }

  /**
   * Stops accepting, asks every connection to finish (HTTP closes after the request in flight; TCP relays keep
   * going), and closes whatever is still open at the deadline.
   */
  public CompletableFuture<DrainResult> drain(Duration deadline) {
    int atStart = connections.size();
    CompletableFuture<DrainResult> result = new CompletableFuture<>();
    stopAccepting().whenComplete((ignored, error) -> {
      for (Channel channel : connections) {
        channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
      }
      long end = System.nanoTime() + deadline.toNanos();
      pollDrain(result, atStart, end);
    });
    return result;
  }

  private void pollDrain(CompletableFuture<DrainResult> result, int atStart, long end) {
    if (connections.isEmpty()) {
      result.complete(new DrainResult(atStart, 0));
      return;
    }
    if (System.nanoTime() - end >= 0) {
      int forced = connections.size();
      connections.close().addListener(done -> result.complete(new DrainResult(Math.max(0, atStart - forced),
          forced)));
      return;
    }
    control.schedule(() -> pollDrain(result, atStart, end), 20, TimeUnit.MILLISECONDS);
  }

  /** Closes listeners and connections and stops the event loops; later calls return the same future. */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    if (!closed.compareAndSet(null, result)) {
      return closed.get();
    }
    accepting = false;
    closeListeners().whenComplete((ok, error) ->
        connections.close().addListener(connectionsClosed -> {
          Runnable stopControl = () -> control.submit(materializer::releaseAll).addListener(released ->
              control.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(stopped -> result.complete(null)));
          transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(stopped -> stopControl.run());
        }));
    return result;
  }

  /** Why the engine is not ready, empty when it is (config applied, listeners bound, nothing warming). */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    GatewayConfig config = current.config();
    if (config == null) {
      reasons.add("no configuration accepted yet");
      return reasons;
    }
    reasons.addAll(config.warming());
    if (!accepting) {
      reasons.add("draining");
    }
    return reasons;
  }
}
