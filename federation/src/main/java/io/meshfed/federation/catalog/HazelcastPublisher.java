package io.meshfed.federation.catalog;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterPublisher} over the catalog maps. Owned by one worker context: every public method hops onto it.
 * Per service at most one write is in flight, and the latest desired state is what gets written next, so bursts
 * coalesce and writes of one key never reorder.
 */
final class HazelcastPublisher implements ClusterPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastPublisher.class);
  private static final long RETRY_MILLIS = 500;

  private enum State { RUNNING, FENCED, CLOSED }

  private record FlushWaiter(Set<ServiceKey> keys, Promise<Void> promise) {
  }

  private final Context context;
  private final CatalogMaps maps;
  private final CatalogSettings settings;
  private final LongSupplier clusterClock;
  private final String clusterId;
  private final long epoch;
  private final Supplier<Future<Void>> release;
  private final AfterFence afterFence;
  /** The first close's outcome, which every later close returns too: one bound, one warning. */
  private final AtomicReference<Future<Void>> closed = new AtomicReference<>();
  /** What the close waits for now, for its warning should the limit pass (written on the context, read off it). */
  private volatile Supplier<String> closeWaitsFor = () -> "its context, busy with an earlier task";

  private final Map<ServiceKey, ExportedService> desired = new HashMap<>();
  private final Map<ServiceKey, ExportedService> written = new HashMap<>();
  private final LinkedHashSet<ServiceKey> dirty = new LinkedHashSet<>();
  private final Set<ServiceKey> inFlight = new HashSet<>();
  private final List<FlushWaiter> waiters = new ArrayList<>();
  private final Promise<Void> fenced = Promise.promise();

  private ClusterInfo info;
  private boolean infoChanged;
  private boolean republished;
  /** The republish under way (the first replaceAll's last step), failed by a close instead of waited for. */
  private Promise<Void> republish;
  /** The removal of older epochs' entries, run off this context; a close waits for it only so long. */
  private Future<Void> cleanup = Future.succeededFuture();
  private boolean heartbeating = true;
  private boolean retryScheduled;
  private long revision;
  private long heartbeatTimer;
  private State state = State.RUNNING;

  private HazelcastPublisher(Context context, CatalogMaps maps, CatalogSettings settings, LongSupplier clusterClock,
      ClusterInfo info, long epoch, Supplier<Future<Void>> release, AfterFence afterFence) {
    this.context = context;
    this.release = release;
    this.afterFence = afterFence;
    this.maps = maps;
    this.settings = settings;
    this.clusterClock = clusterClock;
    this.info = info;
    this.clusterId = info.clusterId();
    this.epoch = epoch;
  }

  /** Claims the next epoch of {@code info}'s cluster and starts heartbeating; runs on {@code context}. */
  static Future<ClusterPublisher> start(Context context, CatalogMaps maps, CatalogSettings settings,
      LongSupplier clusterClock, ClusterInfo info, String publisherName) {
    return start(context, maps, settings, clusterClock, info, publisherName, Future::succeededFuture,
        AfterFence.STOP);
  }

  /**
   * As {@link #start(Context, CatalogMaps, CatalogSettings, LongSupplier, ClusterInfo, String)}, and the publisher's
   * close ends with {@code release} (the catalog undeploys the context it gave this publisher). A failed start does
   * not call it: whoever gave the context takes it back. {@code afterFence} says what the fence means to whoever
   * holds the publisher, which sets how loudly it is logged.
   */
  static Future<ClusterPublisher> start(Context context, CatalogMaps maps, CatalogSettings settings,
      LongSupplier clusterClock, ClusterInfo info, String publisherName, Supplier<Future<Void>> release,
      AfterFence afterFence) {
    Promise<ClusterPublisher> started = Promise.promise();
    context.runOnContext(ignored -> {
      CompletionStage<Long> claim;
      try {
        claim = maps.clusters().submitToKey(info.clusterId(),
            new ClaimEpoch(info, publisherName, clusterClock.getAsLong()));
      } catch (RuntimeException e) {
        // A stopped member throws at once (cluster time, the map): the start fails rather than never completing.
        started.fail(e);
        return;
      }
      Future.fromCompletionStage(claim, context).onComplete(result -> {
        if (result.failed()) {
          started.fail(result.cause());
          return;
        }
        HazelcastPublisher publisher = new HazelcastPublisher(context, maps, settings, clusterClock, info,
            result.result(), release, afterFence);
        publisher.heartbeatTimer = context.owner().setPeriodic(settings.heartbeatInterval().toMillis(),
            id -> publisher.heartbeat());
        // Claimed, not yet publishing: whoever asked may still close it unused (a catalog closed during the claim).
        LOG.info("cluster {}: {} claimed epoch {}", info.clusterId(), publisherName, result.result());
        started.complete(publisher);
      });
    });
    return started.future();
  }

  @Override
  public String clusterId() {
    return clusterId;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public Future<Void> replaceAll(Collection<ExportedService> services) {
    Map<ServiceKey, ExportedService> next = new HashMap<>();
    for (ExportedService service : services) {
      next.put(service.key(), service);
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      if (state != State.RUNNING) {
        done.fail(stopped());
        return;
      }
      for (ServiceKey key : new ArrayList<>(desired.keySet())) {
        if (!next.containsKey(key)) {
          desired.remove(key);
          dirty.add(key);
        }
      }
      for (Map.Entry<ServiceKey, ExportedService> entry : next.entrySet()) {
        if (!entry.getValue().equals(desired.put(entry.getKey(), entry.getValue()))) {
          dirty.add(entry.getKey());
        }
      }
      Set<ServiceKey> pending = new HashSet<>(dirty);
      pending.addAll(inFlight);
      Promise<Void> flushed = Promise.promise();
      if (pending.isEmpty()) {
        flushed.complete();
      } else {
        waiters.add(new FlushWaiter(pending, flushed));
      }
      pump();
      flushed.future().compose(v -> republishOnce()).onComplete(done);
    });
    return done.future();
  }

  @Override
  public void publish(ExportedService service) {
    Objects.requireNonNull(service, "service");
    context.runOnContext(ignored -> {
      if (state == State.RUNNING && !service.equals(desired.put(service.key(), service))) {
        dirty.add(service.key());
        pump();
      }
    });
  }

  @Override
  public void withdraw(ServiceKey key) {
    Objects.requireNonNull(key, "key");
    context.runOnContext(ignored -> {
      if (state == State.RUNNING && desired.remove(key) != null) {
        dirty.add(key);
        pump();
      }
    });
  }

  @Override
  public void updateInfo(ClusterInfo newInfo) {
    if (!newInfo.clusterId().equals(clusterId)) {
      throw new IllegalArgumentException("clusterId: " + newInfo.clusterId() + " (expected: " + clusterId + ")");
    }
    context.runOnContext(ignored -> {
      if (!newInfo.equals(info)) {
        info = newInfo;
        infoChanged = true;
        heartbeat();
      }
    });
  }

  @Override
  public void heartbeating(boolean enabled) {
    context.runOnContext(ignored -> {
      if (heartbeating != enabled) {
        heartbeating = enabled;
        LOG.info("cluster {}: heartbeats {}", clusterId, enabled ? "resumed" : "suspended (source unavailable)");
        if (enabled) {
          heartbeat();
        }
      }
    });
  }

  @Override
  public Future<Void> fenced() {
    return fenced.future();
  }

  /**
   * {@inheritDoc} Stops on the context and releases it at once, and waits for the removal of older epochs' entries if
   * it is still out (it runs off the context, and the release does not wait for it). The limit is kept from outside
   * the context, which a Hazelcast call may hold: past it the close completes with one warning naming the cluster and
   * what is still out.
   */
  @Override
  public Future<Void> close() {
    Promise<Void> result = Promise.promise();
    if (!closed.compareAndSet(null, result.future())) {
      return closed.get();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      stop(State.CLOSED);
      // The removal runs off the context and an undeployment does not interrupt it, so the context is released at
      // once: a removal that never returns must not keep it deployed until the catalog's close.
      Future<Void> removal = cleanup.otherwiseEmpty();
      Future<Void> released = release.get();
      closeWaitsFor = () -> stillOut(removal, released);
      Future.join(removal, released).<Void>mapEmpty().onComplete(done);
    });
    Duration limit = settings.closeTimeout();
    CloseLimit.within(done.future(), limit, () -> LOG.warn("cluster {}: publisher of epoch {} closed after {} ms "
        + "without waiting any longer for {} (the federation member may be shutting down)", clusterId, epoch,
        limit.toMillis(), closeWaitsFor.get())).onComplete(ignored -> result.complete());
    return result.future();
  }

  private static String stillOut(Future<Void> removal, Future<Void> released) {
    String removing = "its removal of older epochs' entries (the next epoch removes them)";
    String releasing = "the release of its context";
    if (!removal.isComplete() && !released.isComplete()) {
      return removing + " and " + releasing;
    }
    return removal.isComplete() ? releasing : removing;
  }

  private void pump() {
    if (state != State.RUNNING) {
      return;
    }
    if (!maps.running()) {
      // The member stopped (the heartbeats' warnings say so): what is dirty stays dirty, nothing can be written,
      // and whoever waits for a flush learns it now rather than never.
      IllegalStateException stopped = new IllegalStateException("cluster " + clusterId + ": this federation member "
          + "stopped; " + dirty.size() + " changed services are not published");
      failWaiters(stopped);
      return;
    }
    // During a bulk publish, wait until half the window is free so that each partition operation carries many
    // services; a lone change (dirty holds one key) goes out at once.
    int free = settings.maxInFlightWrites() - inFlight.size();
    if (!inFlight.isEmpty() && free < Math.min(dirty.size(), settings.maxInFlightWrites() / 2)) {
      return;
    }
    Map<Integer, Map<EntryKey, CatalogEntry>> puts = new HashMap<>();
    Iterator<ServiceKey> keys = dirty.iterator();
    while (inFlight.size() < settings.maxInFlightWrites() && keys.hasNext()) {
      ServiceKey key = keys.next();
      if (inFlight.contains(key)) {
        continue;
      }
      keys.remove();
      ExportedService want = desired.get(key);
      if (Objects.equals(want, written.get(key))) {
        settled(key);
        continue;
      }
      inFlight.add(key);
      EntryKey entryKey = new EntryKey(clusterId, key);
      if (want == null) {
        maps.services().submitToKey(entryKey, new FencedRemove(epoch))
            .whenComplete((outcome, failure) -> context.runOnContext(v -> written(key, null, outcome, failure)));
      } else {
        puts.computeIfAbsent(maps.partitionOf(entryKey), p -> new HashMap<>())
            .put(entryKey, new CatalogEntry(clusterId, epoch, ++revision, want));
      }
    }
    // One operation per partition: a bulk publish costs partitions, not services.
    for (Map<EntryKey, CatalogEntry> batch : puts.values()) {
      if (batch.size() == 1) {
        CatalogEntry entry = batch.values().iterator().next();
        maps.services().submitToKey(entry.key(), new FencedPut(entry)).whenComplete((outcome, failure) ->
            context.runOnContext(v -> written(entry.service().key(), entry.service(), outcome, failure)));
      } else {
        maps.services().submitToKeys(batch.keySet(), new FencedPutAll(batch)).whenComplete((outcomes, failure) ->
            context.runOnContext(v -> {
              for (CatalogEntry entry : batch.values()) {
                written(entry.service().key(), entry.service(),
                    outcomes == null ? null : outcomes.get(entry.key()), failure);
              }
            }));
      }
    }
  }

  private void written(ServiceKey key, ExportedService want, WriteOutcome outcome, Throwable failure) {
    inFlight.remove(key);
    if (state != State.RUNNING) {
      return;
    }
    if (failure != null) {
      LOG.warn("cluster {}: writing {} failed, retrying: {}", clusterId, key, failure.toString());
      dirty.add(key);
      scheduleRetry();
      return;
    }
    if (outcome == WriteOutcome.FENCED) {
      fence("entry " + key + " is owned by a newer epoch");
      return;
    }
    if (want == null) {
      written.remove(key);
    } else {
      written.put(key, want);
    }
    if (!dirty.contains(key)) {
      settled(key);
    }
    pump();
  }

  private void settled(ServiceKey key) {
    Iterator<FlushWaiter> it = waiters.iterator();
    while (it.hasNext()) {
      FlushWaiter waiter = it.next();
      if (waiter.keys().remove(key) && waiter.keys().isEmpty()) {
        it.remove();
        waiter.promise().complete();
      }
    }
  }

  private void scheduleRetry() {
    if (!retryScheduled) {
      retryScheduled = true;
      context.owner().setTimer(RETRY_MILLIS, id -> {
        retryScheduled = false;
        pump();
      });
    }
  }

  /**
   * After the first full set of this epoch is written: mark the record republished (views then hide older-epoch
   * entries) and delete what older epochs left behind, e.g. services that vanished while this cluster was down.
   */
  private Future<Void> republishOnce() {
    if (republished || republish != null) {
      return Future.succeededFuture();
    }
    Promise<Void> outcome = Promise.promise();
    republish = outcome;
    heartbeat(info, true)
        .compose(accepted -> {
          if (!accepted) {
            fence("the cluster record is owned by a newer epoch");
            return Future.failedFuture(stopped());
          }
          if (state != State.RUNNING) {
            // Closed while the heartbeat was out: the member may be shutting down now, and a removeAll on a member
            // shutting down never returns (it held a control plane's failed start for 60 s in CI).
            return Future.failedFuture(stopped());
          }
          republished = true;
          int services = written.size();
          // Off this context: a close must never queue behind a call that may not return.
          cleanup = context.owner().executeBlocking(() -> {
            maps.services().removeAll(new OwnedBefore(clusterId, epoch));
            return null;
          }, false);
          return cleanup.onSuccess(v -> LOG.info("cluster {}: epoch {} republished {} services", clusterId, epoch,
              services));
        })
        .onComplete(result -> {
          republish = null;
          // A close may have failed it already.
          if (result.succeeded()) {
            outcome.tryComplete();
          } else {
            outcome.tryFail(result.cause());
          }
        });
    return outcome.future();
  }

  private void heartbeat() {
    if (state != State.RUNNING || !heartbeating) {
      return;
    }
    ClusterInfo update = infoChanged ? info : null;
    infoChanged = false;
    heartbeat(update, republished)
        .onComplete(result -> {
          if (result.failed()) {
            if (update != null) {
              infoChanged = true;
            }
            if (state == State.RUNNING) {
              LOG.warn("cluster {}: heartbeat failed: {}", clusterId, result.cause().toString());
            } else {
              // Out when the publisher stopped: the member may be going away under it, as our own close intends.
              LOG.debug("cluster {}: heartbeat out when the publisher stopped failed: {}", clusterId,
                  result.cause().toString());
            }
          } else if (!result.result()) {
            fence("the cluster record is owned by a newer epoch");
          }
        });
  }

  /** Writes a heartbeat; true when this epoch still owns the record. */
  private Future<Boolean> heartbeat(ClusterInfo update, boolean republished) {
    try {
      return Future.fromCompletionStage(maps.clusters().submitToKey(clusterId,
          new Heartbeat(epoch, clusterClock.getAsLong(), update, republished)), context);
    } catch (RuntimeException e) {
      // A stopped member throws at once (cluster time, the map) rather than failing the operation.
      return Future.failedFuture(e);
    }
  }

  /**
   * Stops and says so at once; who owns the cluster now is read asynchronously and logged when it comes, for the log
   * only: a blocking read on this context would hold a close behind it, and the read may take Hazelcast's invocation
   * timeout, or for ever, on a member that is going away.
   */
  private void fence(String detail) {
    if (state != State.RUNNING) {
      return;
    }
    stop(State.FENCED);
    fenced.complete();
    String fencedBy = new FencedException(clusterId, epoch, detail).getMessage();
    if (afterFence == AfterFence.STAND_BY) {
      // A replica pair's expected case: the other replica claimed the cluster, and this one's holder waits for it.
      LOG.info("{}; standing by to take over should the new owner stop heartbeating", fencedBy);
    } else {
      LOG.error("{}; this publisher stopped", fencedBy);
    }
    Future<ClusterRecord> owner;
    try {
      owner = Future.fromCompletionStage(maps.clusters().getAsync(clusterId), context);
    } catch (RuntimeException e) {
      owner = Future.failedFuture(e);
    }
    owner.onComplete(current -> {
      ClusterRecord now = current.succeeded() ? current.result() : null;
      if (now != null) {
        LOG.info("cluster {}: epoch {} was fenced; now published by {} (epoch {})", clusterId, epoch, now.publisher(),
            now.epoch());
      } else {
        LOG.info("cluster {}: epoch {} was fenced; who publishes it now is unknown ({})", clusterId, epoch,
            current.failed() ? current.cause().toString() : "no record");
      }
    });
  }

  private void stop(State next) {
    if (state != State.RUNNING) {
      return;
    }
    state = next;
    context.owner().cancelTimer(heartbeatTimer);
    failWaiters(stopped());
    if (republish != null) {
      republish.tryFail(stopped());
    }
  }

  private void failWaiters(Exception cause) {
    for (FlushWaiter waiter : waiters) {
      waiter.promise().tryFail(cause);
    }
    waiters.clear();
  }

  private IllegalStateException stopped() {
    return state == State.FENCED
        ? new FencedException(clusterId, epoch, "a newer epoch owns the cluster")
        : new PublisherClosedException(clusterId, epoch);
  }
}
