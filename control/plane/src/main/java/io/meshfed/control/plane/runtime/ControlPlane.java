package io.meshfed.control.plane.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.meshfed.control.client.runtime.Closer;
import io.meshfed.control.plane.admin.AdminServer;
import io.meshfed.control.plane.admin.ControlPlaneView;
import io.meshfed.control.plane.ca.CallerAuthentication;
import io.meshfed.control.plane.ca.CertificateService;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.ConfigSource;
import io.meshfed.control.plane.config.ConfigStore;
import io.meshfed.control.plane.config.DirectoryConfigSource;
import io.meshfed.control.plane.config.KubernetesConfigSource;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Address;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.ConfigSourceKind;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.meshfed.control.plane.webhook.AdmissionValidator;
import io.meshfed.control.plane.webhook.WebhookServer;
import io.meshfed.control.plane.xds.DebounceOptions;
import io.meshfed.control.plane.xds.NodeGrouping;
import io.meshfed.control.plane.xds.ProxyStatus;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.XdsServer;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.catalog.GatewayAddress;
import io.meshfed.federation.catalog.PublisherClosedException;
import io.meshfed.federation.remote.RemoteClusterStatus;
import io.meshfed.trust.SvidProvider;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CertificateAuthority;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane ({@code meshfed control-plane}), assembled from its settings in this order, each step
 * rolled back if a later one fails: the data directory; the Kubernetes client (kubernetes source); the CA and the
 * control plane's SVID; the root certificate published to {@code <dataDir>/root-cert.pem} and ConfigMap
 * {@code meshfed-ca-root-cert}; the config source and store; the federation member (Hazelcast through the mTLS relay,
 * catalog, publisher, remote clusters); the ADS server on :15010/:15012 with the CA service on :15012; the
 * translation pipeline; the admin API on :15014; the webhook on :15017. {@link #close()} stops them in reverse.
 * docs/control-plane.md describes the process.
 */
public final class ControlPlane implements ControlPlaneView {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  private static final long HEALTH_CHECK_MILLIS = 1000;
  private static final long ROOT_CHECK_MILLIS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final ControlPlaneSettings settings;
  private final Options options;
  private final Readiness readiness = new Readiness();
  private final Closer closer = new Closer();
  private final Set<String> groupsSeen = ConcurrentHashMap.newKeySet();

  private KubernetesClient client;
  private ControlPlaneTrust trust;
  private ConfigStore store;
  private KubernetesConfigSource kubernetesSource;
  private FederationMember federation;
  private XdsServer xds;
  // Read by the ADS server's grouping on its context: volatile, set before the groups seen so far are replayed.
  private volatile TranslationPipeline pipeline;
  private AdminServer admin;
  private WebhookServer webhook;
  private long healthTimer = -1;

  private ControlPlane(Vertx vertx, ControlPlaneSettings settings, Options options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.options = options;
  }

  /** Starts a control plane; a failed start has closed everything it opened. */
  public static Future<ControlPlane> start(Vertx vertx, ControlPlaneSettings settings, Options options) {
    ControlPlane plane = new ControlPlane(Objects.requireNonNull(vertx, "vertx"),
        Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(options, "options"));
    return plane.startSteps().recover(failure -> {
      LOG.error("control plane start failed: {}; closing what started", failure.getMessage());
      return plane.closer.closeAll().transform(ignored -> Future.failedFuture(failure));
    });
  }

  private Future<ControlPlane> startSteps() {
    return vertx.executeBlocking(this::prepareDataDir, false)
        .compose(v -> kubernetesClient())
        .compose(v -> startTrust())
        .compose(v -> publishRoot())
        .compose(v -> startConfig())
        .compose(v -> startFederation())
        .compose(v -> startXds())
        .compose(v -> startPipeline())
        .compose(v -> startAdmin())
        .compose(v -> startWebhook())
        .map(v -> {
          watchHealth();
          LOG.info("control plane {} of mesh {} started: xDS {} / {}, admin {}, webhook {}", settings.clusterId(),
              settings.meshId(), xds.plaintextPort(), xds.mtlsPort(), admin.port(),
              webhook == null ? "off" : webhook.port());
          return this;
        });
  }

  private Void prepareDataDir() throws java.io.IOException {
    Path dir = settings.dataDir();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return null;
  }

  private Future<Void> kubernetesClient() {
    if (settings.config().source() != ConfigSourceKind.KUBERNETES) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      String kubeconfig = settings.config().kubeconfig();
      Config config = kubeconfig.isBlank() ? Config.autoConfigure(null)
          : Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)));
      return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory())
          .build();
    }, false).map(built -> {
      client = built;
      closer.add("kubernetes client", () -> vertx.executeBlocking(() -> {
        built.close();
        return null;
      }, false));
      return null;
    });
  }

  private Future<Void> startTrust() {
    readiness.waiting("ca", "starting the " + settings.ca().mode().text() + " CA");
    return ControlPlaneTrust.start(vertx, settings, options.registry()).map(started -> {
      trust = started;
      closer.add("CA and SVID", started::close);
      readiness.met("ca");
      return null;
    });
  }

  private Future<Void> publishRoot() {
    RootCertificatePublisher publisher = new RootCertificatePublisher(vertx, trust.ca()::trustBundle,
        settings.dataDir(), client, settings.systemNamespace());
    return publisher.start(ROOT_CHECK_MILLIS).map(v -> {
      closer.add("root certificate publisher", () -> {
        publisher.stop();
        return Future.succeededFuture();
      });
      return null;
    });
  }

  private Future<Void> startConfig() {
    readiness.waiting("config", "first full read of the " + settings.config().source().name().toLowerCase()
        + " config source");
    MeshSettings mesh = new MeshSettings("cluster.local", settings.systemNamespace(), "default");
    return vertx.executeBlocking(() -> {
      ConfigSource source;
      if (client != null) {
        kubernetesSource = KubernetesConfigSource.builder(client).clusterName(settings.clusterId())
            .secretsNamespace(settings.systemNamespace()).build();
        source = kubernetesSource;
      } else {
        source = DirectoryConfigSource.builder(settings.config().directory()).build();
      }
      ConfigStore built = ConfigStore.builder().source(source).mesh(mesh).build();
      built.start();
      return built;
    }, false).map(built -> {
      store = built;
      closer.add("config store", () -> vertx.executeBlocking(() -> {
        built.close();
        return null;
      }, false));
      return null;
    });
  }

  private Future<Void> startFederation() {
    settings.federation().unusable().forEach(problem -> LOG.error("federation.{}; skipped", problem));
    readiness.waiting("federation", "joining the federation (mesh " + settings.meshId() + ")");
    return FederationMember.start(vertx, settings, trust, client, options.registry(), options.version())
        .map(member -> {
          federation = member;
          closer.add("federation member", member::close);
          member.synced().compose(v -> {
            readiness.waiting("federation", "remote clusters registered at start are syncing (at most "
                + settings.federation().remoteSecretTimeout().toSeconds() + " s)");
            return member.remotesReady();
          }).onSuccess(v -> readiness.met("federation"));
          return null;
        });
  }

  private Future<Void> startXds() {
    readiness.waiting("xds", "binding the ADS listeners");
    NodeGrouping grouping = options.grouping();
    NodeGrouping recording = node -> {
      String group = grouping.groupOf(node);
      if (groupsSeen.add(group) && pipeline != null) {
        pipeline.groupConnected(group);
      }
      return group;
    };
    CallerAuthentication.Builder auth = CallerAuthentication.builder(vertx)
        .peerCertificates(trust.ca()::trustBundle);
    if (client != null) {
      auth.tokenReview(client, CallerAuthentication.DEFAULT_AUDIENCE, TrustDomain.of(settings.trustDomain()),
          settings.clusterId());
    } else {
      auth.bootstrapTokens(settings.dataDir());
    }
    CertificateService ca = new CertificateService(trust.ca(), auth.build(), options.registry());
    XdsServer.Builder builder = XdsServer.builder(vertx)
        .grouping(recording)
        .debounce(new DebounceOptions(settings.xds().debounceAfter(), settings.xds().debounceMax()))
        .meterRegistry(options.registry())
        .controlPlaneId("meshfed-" + settings.clusterId())
        .service(ca.service());
    Address plaintext = settings.xds().plaintextAddress();
    if (plaintext == null) {
      builder.withoutPlaintext();
    } else {
      builder.plaintext(plaintext.host(), plaintext.port());
    }
    Address tls = settings.xds().tlsAddress();
    if (tls != null) {
      builder.mtls(tls.host(), tls.port(), trust.xdsTls().serverSslOptions(),
              new GatewayIdentityVerifier(trust.svid()))
          .clientCertificateOptional()
          .sslEngine(new OpenSSLEngineOptions());
    }
    XdsServer server = builder.build();
    return server.start().map(started -> {
      xds = started;
      closer.add("ADS server", started::close);
      AutoCloseable reload = trust.svid().onRotation(svid -> started.updateSsl(trust.xdsTls().serverSslOptions())
          .onFailure(e -> LOG.error(":15012 keeps its previous certificate: reload failed", e)));
      closer.add("ADS TLS reload", () -> {
        closeQuietly(reload);
        return Future.succeededFuture();
      });
      readiness.met("xds");
      return null;
    });
  }

  private Future<Void> startPipeline() {
    pipeline = new TranslationPipeline(vertx, context, options.translation(), xds.snapshots(),
        trust.ca()::trustBundle, options.registry());
    groupsSeen.forEach(pipeline::groupConnected);
    if (options.grouping() instanceof GatewayGrouping gateways) {
      // A known group whose pods announce other labels (a rollout) may select other Gateways: translate again.
      gateways.onNewGroup(group -> pipeline.groupChanged(group.key()));
      IdleGroups idle = new IdleGroups(vertx, context, gateways, xds.status(), options.idleGroupTimeout(),
          key -> {
            groupsSeen.remove(key);
            pipeline.groupGone(key);
          });
      idle.start();
      closer.add("idle gateway groups", () -> {
        idle.stop();
        return Future.succeededFuture();
      });
    }
    AutoCloseable config = store.subscribe(snapshot -> {
      readiness.met("config");
      pipeline.configChanged(snapshot);
      federation.localObjects(snapshot).onFailure(e -> {
        if (e instanceof PublisherClosedException) {
          // Our own close (or a failed start's rollback) closed the publisher under this publish: nothing failed.
          LOG.debug("publishing local exports of config {} ended by the close: {}", snapshot.version(),
              e.getMessage());
        } else {
          LOG.error("publishing local exports of config {} failed", snapshot.version(), e);
        }
      });
    });
    var catalog = federation.catalog().view().subscribe(context, pipeline::catalogEvent);
    AutoCloseable rotation = trust.svid().onRotation(svid -> pipeline.trustChanged());
    closer.add("translation pipeline", () -> {
      closeQuietly(config);
      closeQuietly(rotation);
      closeQuietly(catalog::close);
      return Future.succeededFuture();
    });
    return Future.succeededFuture();
  }

  private Future<Void> startAdmin() {
    readiness.waiting("admin", "binding the admin listener");
    Address address = settings.admin().address();
    AdminServer server = new AdminServer(vertx, this, options.registry());
    return server.start(address.host(), address.port()).compose(started -> {
      admin = started;
      closer.add("admin server", started::close);
      readiness.met("admin");
      return federation.advertiseAdmin(adminUrl(address, started.port()))
          .recover(e -> {
            LOG.warn("cannot advertise the admin URL to the federation: {}", e.getMessage());
            return Future.succeededFuture();
          });
    });
  }

  private static String adminUrl(Address address, int port) {
    String host = address.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      String podIp = System.getenv("POD_IP");
      if (podIp != null && !podIp.isBlank()) {
        host = podIp;
      } else {
        try {
          host = InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
          host = "127.0.0.1";
        }
      }
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private Future<Void> startWebhook() {
    Address address = settings.webhook().address();
    if (address == null) {
      return Future.succeededFuture();
    }
    MeshSettings mesh = new MeshSettings("cluster.local", settings.systemNamespace(), "default");
    WebhookServer server = new WebhookServer(vertx, new AdmissionValidator(mesh));
    return server.start(address.host(), address.port(), options.webhookCertificates(), settings.dataDir(),
        TrustDomain.of(settings.trustDomain()), settings.systemNamespace(), client).map(started -> {
          webhook = started;
          closer.add("webhook", started::close);
          return null;
        });
  }

  /** Degraded modes: checked every second on this control plane's context. */
  private void watchHealth() {
    healthTimer = vertx.setPeriodic(HEALTH_CHECK_MILLIS, id -> context.runOnContext(v -> checkHealth()));
    closer.add("health checks", () -> {
      vertx.cancelTimer(healthTimer);
      return Future.succeededFuture();
    });
  }

  private void checkHealth() {
    if (kubernetesSource != null) {
      List<String> lost = kubernetesSource.notWatching();
      readiness.degraded("kubernetes", lost.isEmpty() ? null : "no watch on the Kubernetes API for " + lost
          + "; config snapshot " + store.current().version() + " (the last read) keeps serving");
    }
    var hazelcast = federation.member().hazelcast();
    if (!hazelcast.getLifecycleService().isRunning()) {
      readiness.degraded("federation", "the Hazelcast member is not running; the last catalog view keeps serving");
    } else {
      int members = hazelcast.getCluster().getMembers().size();
      boolean peersConfigured = !settings.federation().members().isEmpty();
      readiness.degraded("federation", peersConfigured && members < 2 ? "no other control plane connected "
          + "(configured peers: " + settings.federation().members().stream().map(ControlPlaneSettings.Member::clusterId)
              .toList() + "); the last catalog view keeps serving" : null);
    }
    if (!settings.federation().unusable().isEmpty()) {
      readiness.degraded("federation-members", "skipped " + String.join("; ", settings.federation().unusable()));
    }
    readiness.degraded("svid", trust.svid().isExpiring() ? "renewing the control plane's SVID keeps failing"
        : null);
  }

  /** Stops everything, newest first (SIGTERM). */
  public Future<Void> close() {
    LOG.info("control plane {} stopping", settings.clusterId());
    return closer.closeAll().onComplete(v -> LOG.info("control plane {} stopped", settings.clusterId()));
  }

  // ---------------------------------------------------------------- accessors

  public ControlPlaneSettings settings() {
    return settings;
  }

  /** The readiness report {@code /ready} prints. */
  public Readiness.Report readiness() {
    return readiness.report();
  }

  public int xdsPlaintextPort() {
    return xds.plaintextPort();
  }

  public int xdsTlsPort() {
    return xds.mtlsPort();
  }

  public int adminPort() {
    return admin.port();
  }

  /** The webhook's port, or -1 when disabled. */
  public int webhookPort() {
    return webhook == null ? -1 : webhook.port();
  }

  /** Where the root certificate is published on disk. */
  public Path rootCertificateFile() {
    return settings.dataDir().resolve(RootCertificatePublisher.KEY);
  }

  /** The CA (for tests and tools in the same process). */
  public CertificateAuthority certificateAuthority() {
    return trust.ca();
  }

  /** The control plane's own SVID. */
  public SvidProvider svid() {
    return trust.svid();
  }

  /** The ADS server. */
  public XdsServer xdsServer() {
    return xds;
  }

  // ---------------------------------------------------------------- ControlPlaneView

  @Override
  public String clusterId() {
    return settings.clusterId();
  }

  @Override
  public boolean ready() {
    return readiness.report().ready();
  }

  @Override
  public String readinessText() {
    return readiness.report().text();
  }

  @Override
  public Future<List<ProxyStatus>> proxyStatuses() {
    return xds.status().proxyStatuses();
  }

  @Override
  public Optional<Snapshot> snapshot(String group) {
    return xds.snapshots().snapshot(group);
  }

  @Override
  public ConfigSnapshot config() {
    return store.current();
  }

  @Override
  public JsonObject translation() {
    return options.translation().report();
  }

  @Override
  public Future<JsonObject> federation() {
    Future<Map<String, ClusterView>> clusters = federation.catalog().view().clusters();
    Future<Map<String, String>> admins = federation.adminUrls();
    Future<List<RemoteClusterStatus>> remotes = federation.remotes().map(r -> r.status())
        .orElse(Future.succeededFuture(List.of()));
    return Future.all(clusters, admins, remotes).map(all -> {
      JsonArray members = new JsonArray();
      Map<String, String> urls = admins.result();
      clusters.result().values().stream().sorted(java.util.Comparator.comparing(ClusterView::clusterId))
          .forEach(view -> {
            var info = view.record().info();
            members.add(new JsonObject()
                .put("clusterId", view.clusterId())
                .put("network", info.network())
                .put("locality", String.join("/", info.locality().region(), info.locality().zone(),
                    info.locality().subzone()))
                .put("health", view.health().name())
                .put("epoch", view.record().epoch())
                .put("publisher", view.record().publisher())
                .put("controlPlaneVersion", info.controlPlaneVersion())
                .put("gateways", new JsonArray(info.gateways().stream().map(GatewayAddress::toString).toList()))
                .put("adminUrl", urls.get(view.clusterId())));
          });
      JsonArray remoteClusters = new JsonArray();
      remotes.result().forEach(status -> remoteClusters.add(new JsonObject().put("clusterId", status.clusterId())
          .put("secret", status.secret()).put("state", status.state().name()).put("message", status.message())
          .put("since", status.since().toString())));
      var hazelcast = federation.member().hazelcast();
      return new JsonObject()
          .put("clusterId", settings.clusterId())
          .put("meshId", settings.meshId())
          .put("adminUrl", urls.get(settings.clusterId()))
          .put("members", hazelcast.getLifecycleService().isRunning() ? hazelcast.getCluster().getMembers().size() : 0)
          .put("clusters", members)
          .put("remoteClusters", remoteClusters);
    });
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      LOG.debug("close failed", e);
    }
  }

  /**
   * What the process supplies besides the settings: the meter registry {@code /metrics} exposes, the version string,
   * the translation step and the grouping of gateways, where cert-manager's webhook certificate may be mounted, and
   * how long a gateway group (of a {@link GatewayGrouping}) without any connected gateway keeps its snapshot before
   * it is forgotten.
   */
  public record Options(PrometheusMeterRegistry registry, String version, Translation translation,
      NodeGrouping grouping, Path webhookCertificates, Duration idleGroupTimeout) {

    /** How long a gateway group without connected gateways is kept by default. */
    public static final Duration DEFAULT_IDLE_GROUP_TIMEOUT = Duration.ofMinutes(10);

    public Options {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(translation, "translation");
      Objects.requireNonNull(grouping, "grouping");
      Objects.requireNonNull(webhookCertificates, "webhookCertificates");
      Objects.requireNonNull(idleGroupTimeout, "idleGroupTimeout");
      if (idleGroupTimeout.isNegative() || idleGroupTimeout.isZero()) {
        throw new IllegalArgumentException("idleGroupTimeout: " + idleGroupTimeout + " (expected: > 0)");
      }
    }

    /** A fresh Prometheus registry, the default grouping and the chart's cert-manager path. */
    public static Options of(String version, Translation translation) {
      return new Options(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), version, translation,
          NodeGrouping.byClusterAndRole(), WebhookServer.CERT_MANAGER_DIRECTORY, DEFAULT_IDLE_GROUP_TIMEOUT);
    }

    /**
     * The process's options: the mesh translation ({@code io.meshfed.control.plane.translate}, docs/translation.md)
     * with its {@link GatewayGrouping} as the ADS server's grouping (one group per gateway deployment), a fresh
     * Prometheus registry and the chart's cert-manager path.
     */
    public static Options meshTranslation(String version, ControlPlaneSettings settings) {
      GatewayGrouping grouping = GatewayGrouping.create();
      return new Options(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), version,
          new MeshTranslation(Objects.requireNonNull(settings, "settings"), grouping), grouping,
          WebhookServer.CERT_MANAGER_DIRECTORY, DEFAULT_IDLE_GROUP_TIMEOUT);
    }

    public Options withRegistry(PrometheusMeterRegistry value) {
      return new Options(value, version, translation, grouping, webhookCertificates, idleGroupTimeout);
    }

    public Options withGrouping(NodeGrouping value) {
      return new Options(registry, version, translation, value, webhookCertificates, idleGroupTimeout);
    }

    public Options withWebhookCertificates(Path value) {
      return new Options(registry, version, translation, grouping, value, idleGroupTimeout);
    }

    public Options withIdleGroupTimeout(Duration value) {
      return new Options(registry, version, translation, grouping, webhookCertificates, value);
    }
  }
}
