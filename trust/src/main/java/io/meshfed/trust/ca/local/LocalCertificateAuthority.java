package io.meshfed.trust.ca.local;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CaMetrics;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.IssuedCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded CA ({@link CaMode#LOCAL}): the root from {@code <data-dir>/ca} (created on first start) signs this
 * cluster's intermediate, whose key lives only in memory; the intermediate signs leaves and is replaced at half life.
 *
 * <p>Owner: the Vert.x context that started it (renewal timers run there). The current signer is published through
 * one volatile field, so signing on worker threads never locks.
 */
public final class LocalCertificateAuthority implements CertificateAuthority {

  private static final Logger log = LoggerFactory.getLogger(LocalCertificateAuthority.class);

  private final Vertx vertx;
  private final Context context;
  private final CaConfig config;
  private final LocalRoot root;
  private final CaMetrics metrics;
  private volatile IntermediateSigner signer;
  private volatile boolean closed;
  private long renewalTimer = -1;

  private LocalCertificateAuthority(Vertx vertx, Context context, CaConfig config, LocalRoot root,
      IntermediateSigner signer, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.root = root;
    this.signer = signer;
    this.metrics = new CaMetrics(registry, CaMode.LOCAL);
  }

  /** The directory under the data directory that holds the root. */
  public static Path caDirectory(Path dataDirectory) {
    return dataDirectory.resolve("ca");
  }

  /** Loads or creates the root and makes this cluster's intermediate, off the event loop. */
  public static Future<CertificateAuthority> start(Vertx vertx, CaConfig config, MeterRegistry registry) {
    if (config.mode() != CaMode.LOCAL) {
      return Future.failedFuture(new IllegalArgumentException("mode: " + config.mode() + " (expected: local)"));
    }
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      LocalRoot root = LocalRoot.loadOrCreate(caDirectory(config.dataDirectory()), config.trustDomain());
      IntermediateSigner signer = newIntermediate(root, config);
      log.info("local CA for cluster {}: root {} in {}, intermediate valid until {}", config.clusterId(),
          root.trustDomain(), root.directory(), signer.notAfter());
      return new LocalCertificateAuthority(vertx, context, config, root, signer, registry);
    }, false).map(ca -> {
      context.runOnContext(v -> ca.scheduleRenewal());
      return ca;
    });
  }

  @Override
  public Future<IssuedCertificate> sign(String csrPem, SpiffeId caller, Duration ttl) {
    if (closed) {
      return Future.failedFuture(new CaException(CaException.Reason.CLOSED, "local CA is closed"));
    }
    IntermediateSigner current = signer;
    return metrics.record(vertx.executeBlocking(
        () -> current.sign(CertificateRequest.parse(csrPem), caller, config.leafTtl(ttl)), false));
  }

  /** Signs synchronously on the calling thread; for tools and benchmarks that already run off the event loop. */
  public IssuedCertificate signNow(String csrPem, SpiffeId caller, Duration ttl) {
    return signer.sign(CertificateRequest.parse(csrPem), caller, config.leafTtl(ttl));
  }

  @Override
  public TrustBundle trustBundle() {
    return signer.bundle();
  }

  @Override
  public CaMode mode() {
    return CaMode.LOCAL;
  }

  /** The intermediate now signing leaves. */
  public IntermediateSigner signer() {
    return signer;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    context.runOnContext(v -> vertx.cancelTimer(renewalTimer));
    return Future.succeededFuture();
  }

  static IntermediateSigner newIntermediate(LocalRoot root, CaConfig config) {
    return root.intermediate(config.clusterId(), config.intermediateTtl(), config.aliases());
  }

  /** On the owner context: renew the intermediate at half its life. */
  private void scheduleRenewal() {
    IntermediateSigner current = signer;
    Duration life = Duration.between(current.notBefore(), current.notAfter());
    scheduleRenewal(Duration.between(Instant.now(), current.notBefore().plus(life.dividedBy(2))));
  }

  private void scheduleRenewal(Duration after) {
    if (closed) {
      return;
    }
    long delay = Math.max(1, after.toMillis());
    renewalTimer = vertx.setTimer(delay, id -> vertx.executeBlocking(() -> newIntermediate(root, config), false)
        .onComplete(result -> {
          if (result.succeeded()) {
            signer = result.result();
            log.info("local CA for cluster {}: new intermediate valid until {}", config.clusterId(),
                result.result().notAfter());
          } else {
            log.error("local CA for cluster {}: cannot renew the intermediate; retrying in 30s", config.clusterId(),
                result.cause());
            scheduleRenewal(Duration.ofSeconds(30));
            return;
          }
          scheduleRenewal();
        }));
  }
}
