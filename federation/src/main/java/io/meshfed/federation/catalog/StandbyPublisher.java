package io.meshfed.federation.catalog;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterPublisher} for one of several replicas that all publish the same cluster: it writes through the
 * {@link HazelcastPublisher} of its latest claim and remembers the cluster's latest state (services, info, whether to
 * heartbeat). When a newer epoch fences that publisher (another replica claimed the cluster), it stands by: every
 * heartbeat interval it asks this member's view whether the cluster is still LIVE, and once it is not (its owner
 * stopped heartbeating: STALE, WITHDRAWN, or no record) it claims the cluster again and republishes what it remembers.
 * Two standbys that claim at once converge like any two claimants: the later epoch wins, the other is fenced and
 * stands by again. A standby whose source is unreachable ({@code heartbeating(false)}) never takes over.
 *
 * <p>Owned by one context, which makes no blocking call: every method hops onto it, and the claims and the view's
 * reads it starts run elsewhere.
 */
final class StandbyPublisher implements ClusterPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(StandbyPublisher.class);

  private enum State { PUBLISHING, STANDING_BY, CLAIMING, CLOSED }

  private final Context context;
  private final String clusterId;
  private final Function<ClusterInfo, Future<ClusterPublisher>> claim;
  private final FederationCatalog view;
  private final CatalogSettings settings;
  private final Supplier<Future<Void>> release;
  /** The first close's outcome, which every later close returns too. */
  private final AtomicReference<Future<Void>> closed = new AtomicReference<>();
  /** A standby is never fenced for good: a fence makes it stand by, not stop. */
  private final Future<Void> neverFenced = Promise.<Void>promise().future();
  /** The epoch of the latest claim, for {@link #epoch()} from any thread. */
  private volatile long epoch;

  // On the context only.
  private final Map<ServiceKey, ExportedService> services = new LinkedHashMap<>();
  /** True once a replaceAll gave the whole set: a takeover then republishes it as the complete set. */
  private boolean complete;
  private ClusterInfo info;
  private boolean heartbeating = true;
  /** The publisher writing for this standby; null while standing by or claiming. */
  private ClusterPublisher delegate;
  /** The claim out while CLAIMING, which a close finishes (closes) when it returns. */
  private Future<ClusterPublisher> claiming;
  private boolean checking;
  private long timer;
  private State state = State.PUBLISHING;

  private StandbyPublisher(Context context, ClusterPublisher first,
      Function<ClusterInfo, Future<ClusterPublisher>> claim, FederationCatalog view, CatalogSettings settings,
      Supplier<Future<Void>> release) {
    this.context = context;
    this.clusterId = first.clusterId();
    this.claim = claim;
    this.view = view;
    this.settings = settings;
    this.release = release;
    this.epoch = first.epoch();
  }

  /**
   * Wraps {@code first}, claimed with {@code info}, and owns it from now on; {@code claim} claims the cluster again,
   * {@code release} gives {@code context} back at the close.
   */
  static StandbyPublisher start(Context context, ClusterPublisher first, ClusterInfo info,
      Function<ClusterInfo, Future<ClusterPublisher>> claim, FederationCatalog view, CatalogSettings settings,
      Supplier<Future<Void>> release) {
    StandbyPublisher standby = new StandbyPublisher(context, first, claim, view, settings, release);
    // Queued before any call can be: the timer must belong to this context, so it is set from it.
    context.runOnContext(ignored -> {
      standby.info = info;
      standby.adopt(first);
      standby.timer = context.owner().setPeriodic(settings.heartbeatInterval().toMillis(), id -> standby.check());
    });
    return standby;
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  /** The epoch of the latest claim, whether it still owns the cluster or this standby stands by. */
  @Override
  public long epoch() {
    return epoch;
  }

  /**
   * {@inheritDoc} While this standby stands by (or its delegate is fenced meanwhile), completes once the set is
   * remembered: the owner publishes the cluster, and this standby writes the set should it take over.
   */
  @Override
  public Future<Void> replaceAll(Collection<ExportedService> all) {
    List<ExportedService> set = List.copyOf(all);
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      if (state == State.CLOSED) {
        done.fail(new PublisherClosedException(clusterId, epoch));
        return;
      }
      services.clear();
      set.forEach(service -> services.put(service.key(), service));
      complete = true;
      if (delegate == null) {
        done.complete();
        return;
      }
      delegate.replaceAll(set).recover(failure -> failure instanceof FencedException
          ? Future.succeededFuture() : Future.failedFuture(failure)).onComplete(done);
    });
    return done.future();
  }

  @Override
  public void publish(ExportedService service) {
    Objects.requireNonNull(service, "service");
    context.runOnContext(ignored -> {
      if (state != State.CLOSED) {
        services.put(service.key(), service);
        if (delegate != null) {
          delegate.publish(service);
        }
      }
    });
  }

  @Override
  public void withdraw(ServiceKey key) {
    Objects.requireNonNull(key, "key");
    context.runOnContext(ignored -> {
      if (state != State.CLOSED) {
        services.remove(key);
        if (delegate != null) {
          delegate.withdraw(key);
        }
      }
    });
  }

  @Override
  public void updateInfo(ClusterInfo newInfo) {
    if (!newInfo.clusterId().equals(clusterId)) {
      throw new IllegalArgumentException("clusterId: " + newInfo.clusterId() + " (expected: " + clusterId + ")");
    }
    context.runOnContext(ignored -> {
      if (state != State.CLOSED) {
        info = newInfo;
        if (delegate != null) {
          delegate.updateInfo(newInfo);
        }
      }
    });
  }

  /** {@inheritDoc} While suspended, a standby also never takes over: its source may be what failed. */
  @Override
  public void heartbeating(boolean enabled) {
    context.runOnContext(ignored -> {
      if (state != State.CLOSED) {
        heartbeating = enabled;
        if (delegate != null) {
          delegate.heartbeating(enabled);
        }
      }
    });
  }

  /** Never completes: a fenced standby stands by instead of stopping, until it is closed. */
  @Override
  public Future<Void> fenced() {
    return neverFenced;
  }

  /**
   * {@inheritDoc} Stops standing by, then closes the current delegate, and a claim still out once it returns (its
   * epoch may already be in the cluster's record, where nobody heartbeats it); within the limit in all, past which it
   * completes with one warning. Nothing is withdrawn.
   */
  @Override
  public Future<Void> close() {
    Promise<Void> result = Promise.promise();
    if (!closed.compareAndSet(null, result.future())) {
      return closed.get();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      State before = state;
      state = State.CLOSED;
      context.owner().cancelTimer(timer);
      Future<Void> current = delegate == null ? Future.succeededFuture() : delegate.close();
      delegate = null;
      // A claim out closes the publisher it returns. Its callbacks run on this context (the claim was started from
      // it), so the context is released only once the claim and the close have settled: released first, a later
      // Vert.x may drop them, leaving a claimed publisher heartbeating until the catalog closes.
      Future<Void> claimed = claiming == null ? Future.succeededFuture()
          : claiming.compose(ClusterPublisher::close, failure -> Future.succeededFuture());
      LOG.debug("cluster {}: standby publisher closed while {}", clusterId, before);
      Future.join(current, claimed).eventually(release).<Void>mapEmpty().onComplete(done);
    });
    Duration limit = settings.closeTimeout();
    CloseLimit.within(done.future(), limit, () -> LOG.warn("cluster {}: standby publisher of epoch {} closed after {} "
        + "ms without waiting any longer for its publisher's close or claim (the federation member may be shutting "
        + "down)", clusterId, epoch, limit.toMillis())).onComplete(ignored -> result.complete());
    return result.future();
  }

  private void adopt(ClusterPublisher publisher) {
    delegate = publisher;
    epoch = publisher.epoch();
    state = State.PUBLISHING;
    publisher.fenced().onComplete(ignored -> context.runOnContext(v -> fenced(publisher)));
  }

  /** The delegate logged the fence at INFO: this standby now waits for the new owner's lease to lapse. */
  private void fenced(ClusterPublisher publisher) {
    if (delegate != publisher) {
      return;
    }
    delegate = null;
    state = State.STANDING_BY;
    // A fenced publisher writes nothing more; its close releases its context and withdraws nothing.
    publisher.close();
  }

  /** Every heartbeat interval: takes over once the cluster is no longer LIVE in this member's view. */
  private void check() {
    if (state != State.STANDING_BY || !heartbeating || checking) {
      return;
    }
    checking = true;
    view.clusters().onComplete(result -> context.runOnContext(ignored -> {
      checking = false;
      if (state != State.STANDING_BY || !heartbeating) {
        return;
      }
      if (result.failed()) {
        LOG.warn("cluster {}: standing by, cannot read the cluster's lease: {}", clusterId, result.cause().toString());
        return;
      }
      ClusterView owner = result.result().get(clusterId);
      // A view that has not yet seen the epoch that fenced this standby still shows the older owner, perhaps STALE:
      // acting on it would fence the new owner, which could do the same in turn.
      if (owner != null && owner.record().epoch() <= epoch) {
        return;
      }
      if (owner == null || owner.health() != ClusterHealth.LIVE) {
        takeOver(owner);
      }
    }));
  }

  private void takeOver(ClusterView owner) {
    LOG.warn("cluster {}: {}; taking over from standby (epoch {} was fenced)", clusterId, owner == null
        ? "no record" : "epoch " + owner.record().epoch() + " of " + owner.record().publisher() + " is "
        + owner.health() + " (its owner stopped heartbeating)", epoch);
    state = State.CLAIMING;
    Future<ClusterPublisher> claimed = claim.apply(info);
    claiming = claimed;
    claimed.onComplete(result -> context.runOnContext(ignored -> claimed(result)));
  }

  private void claimed(AsyncResult<ClusterPublisher> result) {
    claiming = null;
    if (state != State.CLAIMING) {
      // Closed meanwhile: the close closes what the claim returns.
      return;
    }
    if (result.failed()) {
      LOG.warn("cluster {}: taking over failed, still standing by: {}", clusterId, result.cause().toString());
      state = State.STANDING_BY;
      return;
    }
    ClusterPublisher publisher = result.result();
    adopt(publisher);
    // What changed during the claim: the claim wrote the info it started with.
    publisher.updateInfo(info);
    if (!heartbeating) {
      publisher.heartbeating(false);
    }
    LOG.info("cluster {}: took over at epoch {}, republishing {} services", clusterId, publisher.epoch(),
        services.size());
    if (complete) {
      publisher.replaceAll(List.copyOf(services.values())).onFailure(failure -> {
        if (!(failure instanceof FencedException) && !(failure instanceof PublisherClosedException)) {
          LOG.error("cluster {}: republishing after the takeover at epoch {} failed: {}", clusterId,
              publisher.epoch(), failure.toString());
        }
      });
    } else {
      // No complete set yet: publish what is known, and the caller's first replaceAll completes it.
      services.values().forEach(publisher::publish);
    }
  }
}
