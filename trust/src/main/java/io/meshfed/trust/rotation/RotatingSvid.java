package io.meshfed.trust.rotation;

import io.meshfed.trust.Svid;
import io.meshfed.trust.SvidProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one SVID and keeps it fresh: renews at half life (jittered), retries with capped backoff while the CA is
 * down and keeps serving the cached SVID meanwhile, warns (log + {@code meshfed_svid_expiring}) well before expiry,
 * and never serves an expired SVID silently: {@link #current()} fails and {@code meshfed_svid_expired} is raised.
 * Listeners hear of every rotation.
 *
 * <p>Owner: the Vert.x context that created it; timers and listeners run there. {@link #current()} may be called
 * from any thread (one volatile read).
 *
 * <p>Metrics, tagged {@code spiffe_id}: {@code meshfed_svid_expiry_seconds}, {@code meshfed_svid_rotations_total}
 * ({@code result=ok|failed}), {@code meshfed_svid_expiring} and {@code meshfed_svid_expired} (0 or 1).
 */
public final class RotatingSvid implements SvidProvider {

  private static final Logger log = LoggerFactory.getLogger(RotatingSvid.class);

  private final Vertx vertx;
  private final Context context;
  private final SvidSource source;
  private final RotationPolicy policy;
  private final MeterRegistry registry;
  private final List<Consumer<Svid>> listeners = new CopyOnWriteArrayList<>();

  private volatile Svid svid;
  private volatile boolean expiring;
  private volatile boolean expired;
  private volatile Throwable lastFailure;

  // Owned by the context.
  private Instant fetchedAt;
  private int failures;
  private long renewTimer = -1;
  private long warnTimer = -1;
  private long expiryTimer = -1;
  private boolean closed;
  private boolean metersRegistered;
  private Counter rotationsOk;
  private Counter rotationsFailed;

  private RotatingSvid(Vertx vertx, SvidSource source, RotationPolicy policy, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.source = source;
    this.policy = policy;
    this.registry = registry;
  }

  /** A holder fetching from {@code source}; call {@link #start()}. */
  public static RotatingSvid create(Vertx vertx, SvidSource source, RotationPolicy policy, MeterRegistry registry) {
    return new RotatingSvid(vertx, Objects.requireNonNull(source, "source"), Objects.requireNonNull(policy, "policy"),
        Objects.requireNonNull(registry, "registry"));
  }

  /** Fetches the first SVID and starts the renewal cycle; fails if the first fetch fails. */
  public Future<Svid> start() {
    return onContext(() -> source.fetch().map(first -> {
      accept(first);
      return first;
    }));
  }

  /** Renews now, whatever the schedule (after a root rotation, for example). */
  public Future<Svid> rotateNow() {
    return onContext(() -> {
      if (svid == null) {
        return Future.failedFuture(new IllegalStateException("rotateNow: no SVID yet (call start() first)"));
      }
      vertx.cancelTimer(renewTimer);
      return renew();
    });
  }

  @Override
  public Svid current() {
    Svid current = svid;
    if (current == null) {
      throw new IllegalStateException("no SVID yet: start() has not completed");
    }
    if (current.isExpired(Instant.now())) {
      expired = true;
      throw new IllegalStateException(current.spiffeId() + ": SVID expired at " + current.notAfter()
          + " and could not be renewed" + (lastFailure == null ? "" : ": " + lastFailure.getMessage()));
    }
    return current;
  }

  @Override
  public AutoCloseable onRotation(Consumer<Svid> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  /** True once renewal has failed past the warning point; false again after a successful renewal. */
  public boolean isExpiring() {
    return expiring;
  }

  /** Stops renewing. The last SVID stays readable until it expires. */
  public Future<Void> close() {
    return onContext(() -> {
      closed = true;
      vertx.cancelTimer(renewTimer);
      vertx.cancelTimer(warnTimer);
      vertx.cancelTimer(expiryTimer);
      return Future.succeededFuture();
    });
  }

  /** On the context. */
  private Future<Svid> renew() {
    return source.fetch().andThen(result -> {
      if (closed) {
        return;
      }
      if (result.succeeded()) {
        rotationsOk.increment();
        accept(result.result());
      } else {
        rotationsFailed.increment();
        lastFailure = result.cause();
        Duration wait = policy.retry().delay(failures++);
        Svid current = svid;
        log.warn("{}: SVID renewal failed (attempt {}); serving the cached SVID (expires {}); retrying in {}: {}",
            current.spiffeId(), failures, current.notAfter(), wait, result.cause().getMessage());
        renewTimer = vertx.setTimer(wait.toMillis(), id -> renew());
      }
    });
  }

  /** On the context: publish a new SVID, notify listeners, schedule its renewal, warning and expiry checks. */
  private void accept(Svid next) {
    Svid previous = svid;
    svid = next;
    fetchedAt = Instant.now();
    failures = 0;
    lastFailure = null;
    expiring = false;
    expired = false;
    registerMeters(next);
    Duration life = Duration.between(fetchedAt, next.notAfter());
    double fraction = policy.renewAt() - ThreadLocalRandom.current().nextDouble() * policy.jitter();
    vertx.cancelTimer(renewTimer);
    vertx.cancelTimer(warnTimer);
    vertx.cancelTimer(expiryTimer);
    renewTimer = vertx.setTimer(millisAfter(life, fraction), id -> renew());
    warnTimer = vertx.setTimer(millisAfter(life, policy.warnAt()), id -> warnIfStale(next));
    expiryTimer = vertx.setTimer(Math.max(1, life.toMillis()), id -> failIfExpired(next));
    if (previous == null) {
      log.info("{}: SVID serial {} valid until {}", next.spiffeId(), next.serial(), next.notAfter());
      return;
    }
    log.info("{}: SVID rotated, serial {} -> {}, valid until {}", next.spiffeId(), previous.serial(), next.serial(),
        next.notAfter());
    for (Consumer<Svid> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        log.error("{}: SVID rotation listener {} failed", next.spiffeId(), listener, e);
      }
    }
  }

  private void warnIfStale(Svid held) {
    if (svid == held && !closed) {
      expiring = true;
      log.warn("{}: SVID expires at {} and has not been renewed ({} failed attempt(s)); peers will reject it then:"
          + " check the CA{}", held.spiffeId(), held.notAfter(), failures,
          lastFailure == null ? "" : " (" + lastFailure.getMessage() + ")");
    }
  }

  private void failIfExpired(Svid held) {
    if (svid == held && !closed) {
      expired = true;
      log.error("{}: SVID EXPIRED at {}; new TLS handshakes will fail until the CA answers{}", held.spiffeId(),
          held.notAfter(), lastFailure == null ? "" : " (" + lastFailure.getMessage() + ")");
    }
  }

  private void registerMeters(Svid first) {
    if (metersRegistered) {
      return;
    }
    metersRegistered = true;
    Tags tags = Tags.of("spiffe_id", first.spiffeId().toString());
    Gauge.builder("meshfed_svid_expiry_seconds", this, holder -> Duration.between(Instant.now(),
            holder.svid.notAfter()).toSeconds())
        .description("seconds until the current SVID expires").tags(tags).register(registry);
    Gauge.builder("meshfed_svid_expiring", this, holder -> holder.expiring ? 1 : 0)
        .description("1 when renewal has failed past the warning point").tags(tags).register(registry);
    Gauge.builder("meshfed_svid_expired", this, holder -> holder.expired || holder.svid.isExpired(Instant.now()) ? 1 : 0)
        .description("1 when the only SVID held has expired").tags(tags).register(registry);
    rotationsOk = Counter.builder("meshfed_svid_rotations").description("SVID renewals").tags(tags)
        .tag("result", "ok").register(registry);
    rotationsFailed = Counter.builder("meshfed_svid_rotations").description("SVID renewals").tags(tags)
        .tag("result", "failed").register(registry);
  }

  private static long millisAfter(Duration life, double fraction) {
    return Math.max(1, (long) (life.toMillis() * fraction));
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    return Future.<Future<T>>future(promise -> context.runOnContext(v -> promise.complete(action.get())))
        .compose(future -> future);
  }

  @Override
  public String toString() {
    Svid current = svid;
    return "RotatingSvid{" + (current == null ? "not started" : current) + "}";
  }
}
