package io.meshfed.control.client.runtime;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.accesslog.RecentRequests;
import io.meshfed.control.client.metrics.IstioMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of one gateway: health/readiness on :15021, Prometheus metrics on :15090, the loopback admin server
 * on :15000, and graceful drain on SIGTERM ({@link #drainOnShutdown()}) or an admin {@code POST /drain_listeners}.
 *
 * <p>A data plane builds one, {@link #start() starts} it, {@link #register registers} a {@link Drainable} per
 * listener, reports config and certificate state to {@link #readiness()}, records metrics through
 * {@link #istioMetrics()} and access-log entries into {@link #recentRequests()} (through an
 * {@link io.meshfed.control.client.accesslog.AccessLogger}), and hands the xDS client's accepted resources in as a
 * {@code Supplier<AcceptedConfig>}.
 */
public final class GatewayRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  /** The builder's values, copied so that later changes to the builder cannot reach a built runtime. */
  private record Settings(GatewayIdentity identity, String bindHost, String adminHost, int healthPort,
      int metricsPort, int adminPort, Supplier<AcceptedConfig> config, String version, OutlierEjections ejections,
      Clock clock) {
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Readiness readiness;
  private final Drainer drainer;
  private final PrometheusMeterRegistry registry;
  private final IstioMetrics istioMetrics;
  private final RecentRequests recent;
  private final Node node;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final List<HttpServer> servers = new ArrayList<>();
  private volatile Thread shutdownHook;
  private volatile int healthPort = -1;
  private volatile int metricsPort = -1;
  private volatile int adminPort = -1;

  private GatewayRuntime(Builder builder) {
    this.vertx = builder.vertx;
    this.settings = new Settings(builder.identity, builder.bindHost, builder.adminHost, builder.healthPort,
        builder.metricsPort, builder.adminPort, builder.config, builder.version, builder.ejections, builder.clock);
    this.readiness = new Readiness(builder.certificateRequired, builder.clock);
    this.drainer = new Drainer(vertx, vertx.getOrCreateContext(), readiness, builder.drainTimeout, builder.clock);
    this.registry = builder.registry != null ? builder.registry : ownRegistry();
    this.istioMetrics = new IstioMetrics(registry);
    this.recent = new RecentRequests(builder.recentCapacity);
    this.node = builder.node != null ? builder.node : defaultNode(builder.identity);
    Gauge.builder("meshfed_gateway_ready", () -> readiness.check().ready() ? 1 : 0)
        .description("1 when /healthz/ready answers 200").register(registry);
    Gauge.builder("meshfed_gateway_draining", () -> readiness.drain().isPresent() ? 1 : 0)
        .description("1 once a drain has started").register(registry);
    Gauge.builder("meshfed_gateway_in_flight", drainer::inFlight)
        .description("Requests, streams and connections in flight on the registered listeners").register(registry);
  }

  /** A builder for the gateway with this identity, running on {@code vertx}. */
  public static Builder builder(Vertx vertx, GatewayIdentity identity) {
    return new Builder(vertx, identity);
  }

  /**
   * Binds the health, metrics and admin servers. If one cannot bind, the ones already bound are closed and the
   * future fails naming the server, the address and the setting to change.
   */
  public Future<GatewayRuntime> start() {
    AdminRoutes admin = new AdminRoutes(vertx, settings.identity, node, settings.version, readiness,
        drainer::drain, settings.config, registry, recent, settings.ejections, settings.clock.instant(),
        settings.clock);
    return listen("health", "ports.health", settings.bindHost, settings.healthPort,
        HealthRoutes.router(vertx, readiness))
        .compose(port -> {
          healthPort = port;
          return listen("metrics", "ports.metrics", settings.bindHost, settings.metricsPort,
              MetricsRoutes.router(vertx, registry));
        })
        .compose(port -> {
          metricsPort = port;
          return listen("admin", "ports.admin", settings.adminHost, settings.adminPort, admin.router());
        })
        .map(port -> {
          adminPort = port;
          LOG.info("gateway {} ({}, cluster {}): health on {}:{}, metrics on {}:{}, admin on {}:{}",
              settings.identity.name(), settings.identity.role(), settings.identity.clusterId(), settings.bindHost,
              healthPort, settings.bindHost, metricsPort, settings.adminHost, adminPort);
          return this;
        })
        .recover(failure -> closeServers().transform(ignored -> Future.failedFuture(failure)));
  }

  private Future<Integer> listen(String what, String setting, String host, int port,
      Handler<HttpServerRequest> handler) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(handler);
    return server.listen()
        .map(bound -> {
          synchronized (servers) {
            servers.add(bound);
          }
          return bound.actualPort();
        })
        .recover(failure -> Future.failedFuture(new IllegalStateException("gateway " + settings.identity.name()
            + ": cannot bind the " + what + " server to " + host + ":" + port + ": " + failure.getMessage()
            + " (expected: a free port; set " + setting + ", or 0 for any free port)", failure)));
  }

  /** Closes the servers and the JVM metric binders, and removes the shutdown hook. Does not drain. */
  public Future<Void> close() {
    Thread hook = shutdownHook;
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // The hook is running or about to: it drains, then the JVM exits.
      }
    }
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        LOG.debug("closing a metric binder failed: {}", e.toString());
      }
    }
    return closeServers();
  }

  private Future<Void> closeServers() {
    List<HttpServer> bound;
    synchronized (servers) {
      bound = List.copyOf(servers);
      servers.clear();
    }
    return Future.join(bound.stream().map(HttpServer::close).toList()).mapEmpty();
  }

  /** Adds a listener (or data plane) to drain on shutdown. */
  public void register(Drainable drainable) {
    drainer.register(Objects.requireNonNull(drainable, "drainable"));
  }

  /** Removes a listener that was closed for good (LDS removed it). */
  public void unregister(Drainable drainable) {
    drainer.unregister(drainable);
  }

  /**
   * Drains: readiness turns 503 at once, every registered {@link Drainable} stops accepting, in-flight work has until
   * the drain timeout, then the rest is closed. A second call returns the drain already under way.
   */
  public Future<DrainReport> drain(String reason) {
    return drainer.drain(reason);
  }

  /**
   * Drains on SIGTERM (and SIGINT): installs a JVM shutdown hook that runs {@link #drain(String)} and waits for it,
   * so the process exits only after in-flight work finished or the drain timeout passed.
   */
  public GatewayRuntime drainOnShutdown() {
    if (shutdownHook != null) {
      return this;
    }
    Thread hook = new Thread(() -> {
      try {
        DrainReport report = drain("SIGTERM").toCompletionStage().toCompletableFuture()
            .get(drainer.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        LOG.info("shutdown: drained {} ({} forced)", report.inFlightAtStart(), report.forceClosed());
      } catch (Exception e) {
        LOG.warn("shutdown: drain did not finish: {}", e.toString());
      }
    }, "meshfed-drain-on-shutdown-" + settings.identity.name());
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
    return this;
  }

  public GatewayIdentity identity() {
    return settings.identity;
  }

  /** Where the xDS client and the certificate rotation report; what {@code /healthz/ready} answers from. */
  public Readiness readiness() {
    return readiness;
  }

  /** The registry {@code /stats/prometheus} serves. */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** Istio's standard metrics on {@link #meterRegistry()}. */
  public IstioMetrics istioMetrics() {
    return istioMetrics;
  }

  /** The ring {@code /requestz} reads; give it to the gateway's access logger. */
  public RecentRequests recentRequests() {
    return recent;
  }

  /** The node identity {@code /server_info} reports. */
  public Node node() {
    return node;
  }

  /** The bound health port, -1 before {@link #start()}. */
  public int healthPort() {
    return healthPort;
  }

  /** The bound metrics port, -1 before {@link #start()}. */
  public int metricsPort() {
    return metricsPort;
  }

  /** The bound admin port, -1 before {@link #start()}. */
  public int adminPort() {
    return adminPort;
  }

  private PrometheusMeterRegistry ownRegistry() {
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(own);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(own);
    binders.add(gc);
    new JvmThreadMetrics().bindTo(own);
    new ClassLoaderMetrics().bindTo(own);
    new ProcessorMetrics().bindTo(own);
    new UptimeMetrics().bindTo(own);
    new FileDescriptorMetrics().bindTo(own);
    return own;
  }

  /** An Istio-style router node (docs/xds-profile.md, "Node identity") when the xDS client gives none. */
  private static Node defaultNode(GatewayIdentity identity) {
    return Node.newBuilder()
        .setId("router~0.0.0.0~" + identity.name() + "." + identity.namespace() + "~" + identity.namespace()
            + ".svc.cluster.local")
        .setCluster(identity.name())
        .setMetadata(Struct.newBuilder()
            .putFields("CLUSTER_ID", Value.newBuilder().setStringValue(identity.clusterId()).build())
            .putFields("ROLE", Value.newBuilder().setStringValue(identity.role()).build())
            .putFields("NAMESPACE", Value.newBuilder().setStringValue(identity.namespace()).build()))
        .build();
  }

  /** Settings of a {@link GatewayRuntime}; each is checked as it is set. */
  public static final class Builder {
    private final Vertx vertx;
    private final GatewayIdentity identity;
    private String bindHost = "0.0.0.0";
    private String adminHost = "127.0.0.1";
    private int healthPort = 15021;
    private int metricsPort = 15090;
    private int adminPort = 15000;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Supplier<AcceptedConfig> config = () -> AcceptedConfig.EMPTY;
    private Node node;
    private String version = "meshfed";
    private boolean certificateRequired = true;
    private int recentCapacity = 1024;
    private PrometheusMeterRegistry registry;
    private OutlierEjections ejections = OutlierEjections.NONE;
    private Clock clock = Clock.systemUTC();

    private Builder(Vertx vertx, GatewayIdentity identity) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** The address the health and metrics servers bind; default {@code 0.0.0.0}. */
    public Builder bindHost(String bindHost) {
      this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
      return this;
    }

    /** The address the admin server binds; default {@code 127.0.0.1} (admin is loopback only, as Envoy's). */
    public Builder adminHost(String adminHost) {
      this.adminHost = Objects.requireNonNull(adminHost, "adminHost");
      return this;
    }

    /** Default 15021; 0 binds any free port. */
    public Builder healthPort(int port) {
      this.healthPort = checkPort("ports.health", port);
      return this;
    }

    /** Default 15090; 0 binds any free port. */
    public Builder metricsPort(int port) {
      this.metricsPort = checkPort("ports.metrics", port);
      return this;
    }

    /** Default 15000; 0 binds any free port. */
    public Builder adminPort(int port) {
      this.adminPort = checkPort("ports.admin", port);
      return this;
    }

    /** How long in-flight work may take once a drain starts; default 30 s. */
    public Builder drainTimeout(Duration drainTimeout) {
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
      }
      this.drainTimeout = drainTimeout;
      return this;
    }

    /** The xDS client's accepted resources, for {@code /config_dump}, {@code /listeners}, {@code /clusters}. */
    public Builder config(Supplier<AcceptedConfig> config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The node the xDS client sends, shown by {@code /server_info}; default an Istio-style router node. */
    public Builder node(Node node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    /** The version {@code /server_info} reports ({@code meshfed/0.1.0}). */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** Whether readiness needs a certificate; default true. */
    public Builder certificateRequired(boolean certificateRequired) {
      this.certificateRequired = certificateRequired;
      return this;
    }

    /** How many recent access-log entries {@code /requestz} keeps; default 1024. */
    public Builder recentCapacity(int recentCapacity) {
      if (recentCapacity < 1) {
        throw new IllegalArgumentException("recentCapacity: " + recentCapacity + " (expected: >= 1)");
      }
      this.recentCapacity = recentCapacity;
      return this;
    }

    /**
     * The registry to serve; default a new one with JVM and process metrics bound. A registry given here is served
     * as is: bind JVM metrics to it yourself if you want them.
     */
    public Builder meterRegistry(PrometheusMeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The data plane's outlier ejections, for {@code /clusters}; default none. */
    public Builder outlierEjections(OutlierEjections ejections) {
      this.ejections = Objects.requireNonNull(ejections, "ejections");
      return this;
    }

    Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public GatewayRuntime build() {
      return new GatewayRuntime(this);
    }

    private static int checkPort(String name, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535, 0 for any free port)");
      }
      return port;
    }
  }
}
