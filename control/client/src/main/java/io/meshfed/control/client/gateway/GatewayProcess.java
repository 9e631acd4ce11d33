package io.meshfed.control.client.gateway;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.accesslog.AccessLogSink;
import io.meshfed.control.client.accesslog.AccessLogger;
import io.meshfed.control.client.ca.CaClient;
import io.meshfed.control.client.ca.CaCredential;
import io.meshfed.control.client.ca.CaSvidSource;
import io.meshfed.control.client.runtime.Closer;
import io.meshfed.control.client.runtime.DrainReport;
import io.meshfed.control.client.runtime.GatewayIdentity;
import io.meshfed.control.client.runtime.GatewayRuntime;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.rotation.RotatingSvid;
import io.meshfed.trust.rotation.RotationPolicy;
import io.meshfed.trust.tls.MeshTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway, whatever its role: the runtime kit (health :15021, metrics :15090, admin :15000, drain), the
 * gateway's SVID from the control plane's CA rotated at half life (mTLS mode), the ADS client subscribed to every
 * type with the node the translation groups by, and the role's {@link DataPlane} fed every accepted state.
 *
 * <p>Start order: runtime servers, SVID, data plane, ADS. A failed step closes what already started and fails the
 * future with the reason. An update the data plane refuses is NACKed with its error and the last good configuration
 * keeps serving.
 */
public final class GatewayProcess {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);

  private final GatewaySettings settings;
  private final GatewayRuntime runtime;
  private final RotatingSvid svid;
  private final ConfigApplier applier;
  private final AccessLogger accessLogger;
  private final Closer closer;

  private GatewayProcess(GatewaySettings settings, GatewayRuntime runtime, RotatingSvid svid, ConfigApplier applier,
      AccessLogger accessLogger, Closer closer) {
    this.settings = settings;
    this.runtime = runtime;
    this.svid = svid;
    this.applier = applier;
    this.accessLogger = accessLogger;
    this.closer = closer;
  }

  /**
   * Starts a gateway.
   *
   * @param dataPlane creates the role's engine once the runtime runs (its metrics registry and readiness exist),
   *     with the access logger its request and connection records go to
   * @param version what {@code /server_info} reports, e.g. {@code meshfed/0.1.0}
   */
  public static Future<GatewayProcess> start(Vertx vertx, GatewaySettings settings,
      BiFunction<GatewayRuntime, AccessLogger, DataPlane> dataPlane, String version) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(dataPlane, "dataPlane");
    Node node = node(settings);
    // What the start opened so far: a start that fails half-way closes it (awaited, newest first); close() too.
    Closer closer = new Closer();
    Future<GatewayProcess> started = Future.<GatewayProcess>succeededFuture().compose(ignored -> {
      GatewayIdentity identity = new GatewayIdentity(settings.name(), settings.namespace(), settings.clusterId(),
          settings.role().metadataValue());
      ConfigApplier[] applierRef = new ConfigApplier[1];
      GatewayRuntime runtime = GatewayRuntime.builder(vertx, identity)
          .bindHost(settings.ports().bindHost()).healthPort(settings.ports().health())
          .metricsPort(settings.ports().metrics())
          .adminHost(settings.ports().adminHost()).adminPort(settings.ports().admin())
          .drainTimeout(settings.drainTimeout()).node(node).version(version)
          .certificateRequired(settings.xds().mtls())
          .config(() -> applierRef[0] == null ? io.meshfed.control.client.runtime.AcceptedConfig.EMPTY
              : applierRef[0].accepted())
          .build();
      AccessLogger[] logRef = new AccessLogger[1];
      return runtime.start().compose(running -> {
        closer.add("gateway runtime", runtime::close);
        return accessLogger(vertx, settings, runtime);
      }).compose(logger -> {
        logRef[0] = logger;
        // Closing joins the logger's worker thread: never on an event loop.
        closer.add("access log", () -> vertx.executeBlocking(() -> {
          logger.close();
          return null;
        }, false));
        return startSvid(vertx, settings, runtime);
      }).compose(rotating -> {
        rotating.ifPresent(r -> closer.add("SVID rotation", r::close));
        Optional<String> rootPem = rotating.map(r -> r.current().bundle().rootsPem());
        DataPlane plane = dataPlane.apply(runtime, logRef[0]);
        closer.add("data plane", plane::close);
        runtime.register(plane.drainable());
        // This callback runs on a Vert.x context; the ADS client built below takes the same one, so the client and
        // the applier share one owner thread.
        Context context = vertx.getOrCreateContext();
        ConfigApplier applier = new ConfigApplier(context, settings, plane, runtime.readiness(),
            () -> rotating.map(RotatingSvid::current), rootPem);
        applierRef[0] = applier;
        rotating.ifPresent(r -> r.onRotation(next -> {
          runtime.readiness().certificateLoaded(next.notAfter());
          applier.reapply();
        }));
        AdsClient.Builder builder = AdsClient.builder(vertx)
            .server(SocketAddress.inetSocketAddress(settings.xds().port(), settings.xds().host()))
            .node(node).protocol(settings.xds().protocol());
        for (XdsResourceType type : XdsResourceType.pushOrder()) {
          // Wildcard for every type: the control plane sends each gateway group exactly what it needs
          // (docs/xds.md, "Grouping"), so the gateway does not name RDS/EDS resources one by one.
          builder.subscribeAsync(type, Set.of(), applier::offer);
        }
        if (rotating.isPresent()) {
          MeshTls tls = MeshTls.builder(rotating.get(), runtime.meterRegistry()).build();
          builder.ssl(tls::clientSslOptions);
        }
        AdsClient ads = builder.build();
        closer.add("ADS client", ads::close);
        return ads.start().map(v -> new GatewayProcess(settings, runtime, rotating.orElse(null), applier, logRef[0],
            closer));
      });
    });
    return started.onSuccess(process -> LOG.info("{} gateway {} ({}) started: xDS {}:{} ({}), health :{}, "
            + "metrics :{}, admin :{}", settings.role().metadataValue(), settings.name(), settings.clusterId(),
            settings.xds().host(), settings.xds().port(), settings.xds().mtls() ? "mTLS" : "plaintext",
            process.runtime.healthPort(), process.runtime.metricsPort(), process.runtime.adminPort()))
        .recover(failure -> closer.closeAll().transform(closed -> Future.failedFuture(failure)));
  }

  /**
   * The access logger: entries always reach the runtime's {@code /requestz} ring; lines are written only when
   * {@code accessLog.path} is set (opening the file blocks, so it happens on a worker).
   */
  private static Future<AccessLogger> accessLogger(Vertx vertx, GatewaySettings settings, GatewayRuntime runtime) {
    GatewaySettings.AccessLog log = settings.accessLog();
    return vertx.executeBlocking(() -> {
      AccessLogSink sink;
      try {
        sink = AccessLogSink.forPath(log.path()).orElse(null);
      } catch (java.io.IOException e) {
        throw new GatewaySettingsException("settings", "accessLog.path", log.path() + ": cannot open: "
            + e.getMessage() + " (expected: a writable file, /dev/stdout or -, or empty for none)");
      }
      return AccessLogger.builder().sink(sink).filter(log.filter()).sampling(log.sampling())
          .recentRequests(runtime.recentRequests()).meterRegistry(runtime.meterRegistry()).name(settings.name())
          .build();
    }, false);
  }

  /** The first SVID (mTLS mode), renewed at half life; empty in plaintext mode. */
  private static Future<Optional<RotatingSvid>> startSvid(Vertx vertx, GatewaySettings settings,
      GatewayRuntime runtime) {
    GatewaySettings.Xds xds = settings.xds();
    if (!xds.mtls()) {
      return Future.succeededFuture(Optional.empty());
    }
    return vertx.executeBlocking(() -> {
      try {
        return Files.readString(xds.caCertFile().orElseThrow(), StandardCharsets.US_ASCII);
      } catch (java.io.IOException e) {
        throw new GatewaySettingsException("settings", "xds.caCertFile", xds.caCertFile().orElseThrow()
            + ": cannot read: " + e.getMessage() + " (expected: the mesh root, root-cert.pem, as the control plane "
            + "publishes it)");
      }
    }, false).compose(rootPem -> {
      TrustBundle bundle;
      try {
        bundle = TrustBundle.builder(settings.trustDomain())
            .addRootsPem(rootPem, xds.caCertFile().orElseThrow().toString()).build();
      } catch (RuntimeException e) {
        return Future.failedFuture(new GatewaySettingsException("settings", "xds.caCertFile",
            xds.caCertFile().orElseThrow() + ": " + e.getMessage() + " (expected: PEM certificates of the mesh root)"));
      }
      CaClient ca = CaClient.builder(vertx)
          .server(SocketAddress.inetSocketAddress(xds.port(), xds.host()))
          .trust(bundle).clusterId(settings.clusterId()).build();
      CaCredential credential = xds.token().map(CaCredential::token)
          .orElseGet(() -> CaCredential.tokenFile(xds.tokenFile().orElseThrow()));
      SpiffeId identity = SpiffeId.of(settings.trustDomain(), settings.namespace(), settings.serviceAccount());
      RotatingSvid rotating = RotatingSvid.create(vertx, new CaSvidSource(ca, identity, credential, null),
          RotationPolicy.DEFAULT, runtime.meterRegistry());
      return firstSvid(vertx, rotating, runtime, identity + " from the CA at " + xds.host() + ":" + xds.port(), 0).map(first -> {
        runtime.readiness().certificateLoaded(first.notAfter());
        LOG.info("gateway SVID {} valid until {}", first.spiffeId(), first.notAfter());
        return Optional.of(rotating);
      });
    });
  }

  /**
   * The first SVID, asked again with the rotation backoff (1 s doubling to 1 min) for as long as the CA is
   * unreachable or refuses: a gateway started before its control plane waits, not ready and saying why on
   * {@code /healthz/ready}, instead of exiting into a crash loop (Istio's agent retries its first CSR the same way).
   */
  private static Future<Svid> firstSvid(Vertx vertx, RotatingSvid rotating, GatewayRuntime runtime, String what,
      int attempt) {
    return rotating.start().recover(failure -> {
      Duration wait = RotationPolicy.DEFAULT.retry().delay(attempt);
      String reason = "cannot get the gateway's certificate (" + what + "): " + failure.getMessage();
      runtime.readiness().certificateUnavailable(reason);
      LOG.warn("{} (attempt {}); retrying in {} ms", reason, attempt + 1, wait.toMillis());
      Promise<Svid> retried = Promise.promise();
      vertx.setTimer(wait.toMillis(), timer -> firstSvid(vertx, rotating, runtime, what, attempt + 1)
          .onComplete(retried));
      return retried.future();
    });
  }

  /**
   * The node of docs/xds.md plus what the translation reads (docs/translation.md, "Gateway groups"):
   * {@code WORKLOAD_NAME}, {@code NAMESPACE}, {@code LABELS}, {@code SERVICE_ACCOUNT} and {@code node.locality}.
   */
  static Node node(GatewaySettings settings) {
    Node base = NodeIdentity.builder().ip(settings.podIp()).podName(settings.podName())
        .namespace(settings.namespace()).clusterId(settings.clusterId()).network(settings.network())
        .role(settings.role()).meshId(settings.meshId()).build().toNode();
    Struct.Builder labels = Struct.newBuilder();
    settings.labels().forEach((key, value) -> labels.putFields(key, string(value)));
    Struct metadata = base.getMetadata().toBuilder()
        .putFields("WORKLOAD_NAME", string(settings.name()))
        .putFields("NAMESPACE", string(settings.namespace()))
        .putFields("SERVICE_ACCOUNT", string(settings.serviceAccount()))
        .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
        .build();
    GatewaySettings.Locality locality = settings.locality();
    return base.toBuilder().setMetadata(metadata)
        .setLocality(Locality.newBuilder().setRegion(locality.region()).setZone(locality.zone())
            .setSubZone(locality.subZone()))
        .build();
  }

  private static Value string(String text) {
    return Value.newBuilder().setStringValue(text).build();
  }

  public GatewaySettings settings() {
    return settings;
  }

  /** Health, metrics, admin, readiness, drain. */
  public GatewayRuntime runtime() {
    return runtime;
  }

  /** The current SVID, empty in plaintext mode. */
  public Optional<Svid> svid() {
    return svid == null ? Optional.empty() : Optional.of(svid.current());
  }

  /** Where the data plane's request and connection records go (JSON lines and the admin {@code /requestz}). */
  public AccessLogger accessLogger() {
    return accessLogger;
  }

  /** Drains now (as SIGTERM does): readiness fails, listeners stop accepting, in-flight work finishes. */
  public Future<DrainReport> drain(String reason) {
    return runtime.drain(reason);
  }

  /** A graceful stop, as on SIGTERM: drains, then closes whatever the drain reported. */
  public Future<Void> stop(String reason) {
    return drain(reason).transform(drained -> close());
  }

  /**
   * Stops the ADS client, the rotation, the data plane, the access log and the runtime's servers, in that order
   * (no drain): the start's steps undone newest first.
   */
  public Future<Void> close() {
    return closer.closeAll();
  }
}
