package io.meshfed.gateway.l7;

import io.meshfed.control.client.gateway.IoTransport;
import io.meshfed.gateway.l7.cluster.ClusterManager;
import io.meshfed.gateway.l7.config.ApplyResult;
import io.meshfed.gateway.l7.config.ConfigCompiler;
import io.meshfed.gateway.l7.config.ConfigError;
import io.meshfed.gateway.l7.config.EngineSnapshot;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.listener.ListenerManager;
import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.proxy.EngineState;
import io.meshfed.gateway.l7.proxy.ProxyContext;
import io.meshfed.gateway.l7.security.JwtVerifier;
import io.meshfed.gateway.l7.upstream.EventLoops;
import io.meshfed.gateway.l7.upstream.Transport;
import io.meshfed.gateway.l7.upstream.Upstreams;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L7 proxy engine behind the ingress and egress gateways: feed it the xDS resources the control plane sends
 * ({@link #apply(XdsResources)}) and it binds the listeners, routes, balances, retries and reports one outcome per
 * request.
 *
 * <p>Threading: {@code apply}, {@code drain} and {@code close} run on the engine's control context (a Vert.x context;
 * calls from elsewhere hop onto it and are serialised). Traffic runs on Netty event loops owned by the engine; each
 * connection, its requests and their upstream connections stay on one loop. A new configuration is compiled,
 * reconciled, then published as one volatile value; requests keep the one they started with.
 */
public final class L7Engine {

  private static final Logger LOG = LoggerFactory.getLogger(L7Engine.class);

  private final Vertx vertx;
  private final Context control;
  private final Role role;
  private final HygieneLimits limits;
  private final Transport transport;
  private final EventLoopGroup workers;
  private final Upstreams upstreams;
  private final ClusterManager clusters;
  private final ListenerManager listeners;
  private final JwtVerifier jwt;
  private volatile EngineState state;
  private volatile boolean ready;
  private volatile boolean draining;
  private Future<ApplyResult> lastApply = Future.succeededFuture(new ApplyResult(0, List.of()));
  /** Set by {@link #close()}; control context only. */
  private boolean closed;

  private L7Engine(Builder builder) {
    this.vertx = builder.vertx;
    this.control = vertx.getOrCreateContext();
    this.role = builder.role;
    this.limits = builder.limits;
    EventLoops loops = EventLoops.start(builder.transport, builder.workers);
    this.transport = loops.transport();
    this.workers = loops.group();
    this.upstreams = new Upstreams(transport, workers);
    this.clusters = new ClusterManager(vertx, control, upstreams::retire);
    this.jwt = new JwtVerifier(vertx);
    this.state = new EngineState(EngineSnapshot.empty(role), Map.of());
    ProxyContext proxy = new ProxyContext(() -> state, upstreams, builder.sink, limits, jwt, role,
        builder.tlsSessionResumption);
    this.listeners = new ListenerManager(control, transport, workers, proxy);
    LOG.info("L7 engine ({}) on {} {} event loops", role.metadataValue(), builder.workers, transport.name());
  }

  /** A builder for an engine on {@code vertx}. */
  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /**
   * Applies the complete current xDS state. Resources that fail keep their last accepted version (or stay absent)
   * and are listed in the result, which the ADS client turns into NACKs per type; everything else takes effect.
   * The future completes once the new configuration serves (listeners bound).
   */
  public Future<ApplyResult> apply(XdsResources resources) {
    Promise<ApplyResult> promise = Promise.promise();
    control.runOnContext(ignored -> {
      // Serialise: an update starts after the previous one finished.
      lastApply = lastApply.transform(previous -> closed
          ? Future.failedFuture(new IllegalStateException("L7 engine closed: update ignored"))
          : doApply(resources)).onComplete(promise);
    });
    return promise.future();
  }

  private Future<ApplyResult> doApply(XdsResources resources) {
    EngineSnapshot previous = state.snapshot();
    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(role, resources, previous);
    EngineSnapshot next = compilation.snapshot();
    for (ConfigError error : compilation.errors()) {
      LOG.warn("NACK {}", error);
    }
    return clusters.reconcile(next).compose(runtimes -> {
      // Publish clusters before listeners bind, so the first request on a new listener finds them.
      state = new EngineState(next, runtimes);
      return listeners.reconcile(next.listeners(), next.routeTables().keySet());
    }).map(bindErrors -> {
      List<ConfigError> errors = new ArrayList<>(compilation.errors());
      errors.addAll(bindErrors);
      ready = !draining;
      return new ApplyResult(next.version(), List.copyOf(errors));
    });
  }

  /** The snapshot now serving (for config dumps and tests). */
  public EngineSnapshot snapshot() {
    return state.snapshot();
  }

  /** The port a listener is bound to (its configured port, or the ephemeral one for port 0); null when unbound. */
  public Integer port(String listener) {
    return listeners.port(listener);
  }

  /** True once a configuration has been applied (the readiness the runtime kit's :15021 reports). */
  public boolean ready() {
    return ready;
  }

  /** The transport it runs on: {@code io_uring}, {@code epoll} or {@code nio}. */
  public String transportName() {
    return transport.name();
  }

  /** The engine's role. */
  public Role role() {
    return role;
  }

  /** Open downstream connections. */
  public int openConnections() {
    return listeners.openConnections();
  }

  /**
   * Graceful drain (Istio's termination drain): readiness goes false, HTTP/2 connections get GOAWAY, HTTP/1.1
   * responses carry {@code Connection: close}; after {@code grace} the listeners stop accepting. Established
   * requests finish.
   */
  public Future<Void> drain(Duration grace) {
    Promise<Void> promise = Promise.promise();
    // Readiness drops at once, so the load balancer in front stops sending new connections.
    draining = true;
    ready = false;
    control.runOnContext(ignored -> {
      listeners.drain();
      vertx.setTimer(Math.max(1, grace.toMillis()), id -> {
        listeners.stopAccepting().onComplete(closed -> control.runOnContext(v -> promise.complete()));
      });
    });
    return promise.future();
  }

  /** Drains for the configured drain time. */
  public Future<Void> drain() {
    return drain(limits.drainTime());
  }

  /**
   * Closes listeners, connections and pools, and stops the event loops, once the update in flight, if any, is done
   * (one still binding or creating cluster runtimes would otherwise leave them behind); later updates are refused.
   * Completes once every listener socket is closed.
   */
  public Future<Void> close() {
    Promise<Void> promise = Promise.promise();
    control.runOnContext(ignored -> {
      closed = true;
      ready = false;
      lastApply.onComplete(applied -> control.runOnContext(v -> listeners.closeAll().onComplete(
          listenersClosed -> control.runOnContext(w -> {
            clusters.closeAll();
            upstreams.close();
            jwt.close();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(done -> promise.complete());
          }))));
    });
    return promise.future();
  }

  /** Builds an {@link L7Engine}; each setter validates its argument. */
  public static final class Builder {
    private final Vertx vertx;
    private Role role = Role.INGRESS;
    private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    private OutcomeSink sink = OutcomeSink.NONE;
    private HygieneLimits limits = HygieneLimits.DEFAULTS;
    private IoTransport transport = IoTransport.AUTO;
    private boolean tlsSessionResumption = true;

    private Builder(Vertx vertx) {
      if (vertx == null) {
        throw new IllegalArgumentException("vertx: null (expected: a Vert.x instance)");
      }
      this.vertx = vertx;
    }

    /** The role (default ingress). */
    public Builder role(Role value) {
      if (value == null) {
        throw new IllegalArgumentException("role: null (expected: INGRESS or EGRESS)");
      }
      role = value;
      return this;
    }

    /** Event loops serving traffic (default: one per core). */
    public Builder workers(int value) {
      if (value < 1 || value > 1024) {
        throw new IllegalArgumentException("workers: " + value + " (expected: 1 to 1024)");
      }
      workers = value;
      return this;
    }

    /** Where request and connection outcomes go (metrics, access log). */
    public Builder outcomeSink(OutcomeSink value) {
      if (value == null) {
        throw new IllegalArgumentException("outcomeSink: null (expected: a sink, or OutcomeSink.NONE)");
      }
      sink = value;
      return this;
    }

    /** Request-hygiene limits. */
    public Builder limits(HygieneLimits value) {
      if (value == null) {
        throw new IllegalArgumentException("limits: null (expected: HygieneLimits.DEFAULTS or a copy)");
      }
      limits = value;
      return this;
    }

    /** The transport to run on (default {@link IoTransport#AUTO}: io_uring, else epoll, else NIO). */
    public Builder transport(IoTransport value) {
      if (value == null) {
        throw new IllegalArgumentException("transport: null (expected: IoTransport.AUTO, EPOLL or NIO)");
      }
      transport = value;
      return this;
    }

    /**
     * Allow downstream TLS session resumption (default true, as Envoy). Off forces a full handshake per connection,
     * which the handshake benchmark needs to measure handshakes rather than resumptions.
     */
    public Builder tlsSessionResumption(boolean value) {
      tlsSessionResumption = value;
      return this;
    }

    /** The engine, with no configuration yet: nothing listens until {@link L7Engine#apply}. */
    public L7Engine build() {
      return new L7Engine(this);
    }
  }
}
