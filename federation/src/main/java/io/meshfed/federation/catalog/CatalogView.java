package io.meshfed.federation.catalog;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's applied copy of the catalog and the {@link FederationCatalog} built on it. Owned by one worker
 * context: Hazelcast events, lease checks and anti-entropy passes all hop onto it, so the state needs no locks and the
 * blocking Hazelcast calls of a repair pass never hold an event loop.
 *
 * <p>Applying is idempotent and ordered by (epoch, revision): an event, an anti-entropy repair and the initial load
 * may deliver the same entry in any order and the newest wins.
 */
final class CatalogView implements FederationCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogView.class);

  private final Context context;
  private final HazelcastInstance hazelcast;
  private final CatalogMaps maps;
  private final CatalogSettings settings;
  private final LongSupplier clusterClock;

  private final Map<String, ClusterRecord> records = new HashMap<>();
  private final Map<String, ClusterHealth> health = new HashMap<>();
  private final Map<String, Map<ServiceKey, CatalogEntry>> entries = new HashMap<>();
  private final Map<ServiceKey, FederatedService> visible = new HashMap<>();
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Promise<Void> synced = Promise.promise();
  private final Counter repairs;
  private final AtomicInteger entryCount = new AtomicInteger();
  private final Map<ClusterHealth, AtomicInteger> clustersByHealth = new java.util.EnumMap<>(ClusterHealth.class);

  private long sequence;
  private long leaseTimer = -1;
  /** The last lease check found this member stopped (logged once). */
  private boolean leasesUnjudged;
  private long antiEntropyTimer = -1;
  private final List<UUID> listeners = new ArrayList<>();
  /** Written on the owner context, read also by the worker threads of {@link #offContext}. */
  private volatile boolean closed;
  private boolean passRunning;
  private boolean leaseCheckRunning;
  private final Map<EntryKey, Seen> suspects = new HashMap<>();

  /** Test seam: events whose key matches are discarded before they reach the view, as an overloaded member would. */
  volatile Predicate<Object> eventLoss = key -> false;

  CatalogView(Context context, HazelcastInstance hazelcast, CatalogMaps maps, CatalogSettings settings,
      LongSupplier clusterClock, MeterRegistry meters) {
    this.context = context;
    this.hazelcast = hazelcast;
    this.maps = maps;
    this.settings = settings;
    this.clusterClock = clusterClock;
    this.repairs = Counter.builder("meshfed_federation_anti_entropy_repairs_total")
        .description("Catalog entries this member repaired after missing or misapplying their events")
        .register(meters);
    // Gauges read values the owner context publishes; they never touch its maps from the metrics thread.
    Gauge.builder("meshfed_federation_catalog_entries", entryCount, AtomicInteger::get)
        .description("Catalog entries (service x cluster) this member holds").register(meters);
    for (ClusterHealth state : ClusterHealth.values()) {
      AtomicInteger count = new AtomicInteger();
      clustersByHealth.put(state, count);
      Gauge.builder("meshfed_federation_clusters", count, AtomicInteger::get)
          .description("Clusters in the catalog by lease state, as this member sees them")
          .tag("health", state.name().toLowerCase()).register(meters);
    }
  }

  /**
   * Listens first, then loads: an event racing the load is applied after it and, being versioned, cannot roll the
   * loaded state back.
   */
  Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context.runOnContext(ignored -> {
      try {
        long begin = System.nanoTime();
        listeners.add(maps.clusters().addEntryListener(new RecordListener(), true));
        listeners.add(maps.services().addEntryListener(new EntryListener(), true));
        long listening = System.nanoTime();
        for (ClusterRecord record : maps.clusters().values()) {
          applyRecord(record);
        }
        // Entries arrive serialised and deserialise lazily in getValue(); that is most of a joining member's load,
        // so it runs on all cores.
        List<CatalogEntry> loadedEntries = maps.services().entrySet().parallelStream().map(Map.Entry::getValue)
            .toList();
        long fetched = System.nanoTime();
        // Bulk: store everything, then compute each service once (not once per cluster entry).
        Set<ServiceKey> keys = new HashSet<>();
        for (CatalogEntry value : loadedEntries) {
          entries.computeIfAbsent(value.clusterId(), id -> new HashMap<>()).merge(value.service().key(), value,
              (current, loadedValue) -> loadedValue.newerThan(current) ? loadedValue : current);
          keys.add(value.service().key());
        }
        keys.forEach(this::refresh);
        evaluateLeases();
        sequence++;
        for (Subscriber subscriber : subscribers) {
          subscriber.deliver(new CatalogEvent.Synced(sequence));
        }
        synced.complete();
        LOG.info("catalog loaded: {} clusters, {} entries in {} ms (listeners {} ms, fetch {} ms, apply {} ms)",
            records.size(), loadedEntries.size(), millis(begin), (listening - begin) / 1_000_000,
            (fetched - listening) / 1_000_000, millis(fetched));
        leaseTimer = context.owner().setPeriodic(settings.leaseCheckInterval().toMillis(), id -> checkLeases());
        antiEntropyTimer = context.owner().setPeriodic(settings.antiEntropyInterval().toMillis(),
            id -> antiEntropy(true));
        started.complete();
      } catch (RuntimeException e) {
        started.fail(e);
      }
    });
    return started.future();
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /**
   * Stops the timers and subscribers; completes once the Hazelcast listeners are removed, or after
   * {@link CatalogSettings#closeTimeout()}: Hazelcast waits for a listener's removal without a limit, and a member
   * that is shutting down may never confirm it.
   */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      closed = true;
      context.owner().cancelTimer(leaseTimer);
      context.owner().cancelTimer(antiEntropyTimer);
      subscribers.forEach(Subscriber::close);
      List<UUID> ids = List.copyOf(listeners);
      Duration limit = settings.closeTimeout();
      CloseLimit.within(context.owner().<Void>executeBlocking(() -> {
        ids.forEach(id -> {
          maps.clusters().removeEntryListener(id);
          maps.services().removeEntryListener(id);
        });
        return null;
      }, false), limit, () -> LOG.warn("catalog view closed with its Hazelcast listeners still being removed after {} ms "
          + "(the federation member may be shutting down)", limit.toMillis())).onComplete(removed -> {
            if (removed.failed() && !CloseLimit.exceeded(removed.cause())) {
              LOG.debug("removing catalog listeners: {}", removed.cause().toString());
            }
            done.complete();
          });
    });
    return done.future();
  }

  @Override
  public CatalogSubscription subscribe(Context target, Handler<CatalogEvent> handler) {
    Objects.requireNonNull(target, "context");
    Objects.requireNonNull(handler, "handler");
    Subscriber subscriber = new Subscriber(target, handler);
    context.runOnContext(ignored -> {
      if (subscriber.closed) {
        return;
      }
      Map<String, ClusterView> clusters = clusterViews();
      subscriber.deliver(new CatalogEvent.Snapshot(visible, clusters, sequence));
      subscribers.add(subscriber);
      if (synced.future().isComplete()) {
        subscriber.deliver(new CatalogEvent.Synced(sequence));
      }
    });
    return subscriber;
  }

  @Override
  public Future<Void> synced() {
    return synced.future();
  }

  @Override
  public Future<Map<String, ClusterView>> clusters() {
    return onContext(this::clusterViews);
  }

  @Override
  public Future<FederatedService> service(ServiceKey key) {
    return onContext(() -> visible.getOrDefault(key, FederatedService.empty(key)));
  }

  /** Runs one anti-entropy pass now (tests and the admin API); completes with the number of entries repaired. */
  Future<Integer> repairNow() {
    Promise<Integer> repaired = Promise.promise();
    context.runOnContext(ignored -> antiEntropy(false).onComplete(repaired));
    return repaired.future();
  }

  private <T> Future<T> onContext(java.util.function.Supplier<T> task) {
    Promise<T> result = Promise.promise();
    context.runOnContext(ignored -> {
      try {
        result.complete(task.get());
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  private Map<String, ClusterView> clusterViews() {
    Map<String, ClusterView> views = new HashMap<>();
    records.forEach((id, record) -> views.put(id, new ClusterView(record, health.getOrDefault(id, ClusterHealth.LIVE))));
    return views;
  }

  // ---- applying ----

  private void applyEntry(CatalogEntry entry, boolean force) {
    Map<ServiceKey, CatalogEntry> cluster = entries.computeIfAbsent(entry.clusterId(), id -> new HashMap<>());
    ServiceKey key = entry.service().key();
    CatalogEntry current = cluster.get(key);
    if (current == null || entry.newerThan(current) || (force && !entry.equals(current))) {
      cluster.put(key, entry);
      refresh(key);
    }
  }

  private void removeEntry(EntryKey key, CatalogEntry removed) {
    Map<ServiceKey, CatalogEntry> cluster = entries.get(key.clusterId());
    if (cluster == null) {
      return;
    }
    CatalogEntry current = cluster.get(key.service());
    // A removal of an older version must not delete a newer one applied meanwhile (e.g. by anti-entropy).
    if (current != null && (removed == null || !current.newerThan(removed))) {
      cluster.remove(key.service());
      refresh(key.service());
    }
  }

  private void applyRecord(ClusterRecord record) {
    ClusterRecord current = records.get(record.clusterId());
    if (current != null && current.epoch() > record.epoch()) {
      return;
    }
    records.put(record.clusterId(), record);
    boolean visibleChange = current == null || current.epoch() != record.epoch()
        || current.republished() != record.republished() || !current.info().equals(record.info());
    ClusterHealth before = health.get(record.clusterId());
    ClusterHealth now = leaseState(record);
    health.put(record.clusterId(), now);
    if (visibleChange || before != now) {
      if (before == ClusterHealth.WITHDRAWN && now != ClusterHealth.WITHDRAWN) {
        LOG.info("cluster {}: back (epoch {})", record.clusterId(), record.epoch());
      }
      emitCluster(record.clusterId());
      refreshCluster(record.clusterId());
    }
  }

  private void refreshCluster(String clusterId) {
    Map<ServiceKey, CatalogEntry> cluster = entries.get(clusterId);
    if (cluster != null) {
      for (ServiceKey key : new ArrayList<>(cluster.keySet())) {
        refresh(key);
      }
    }
  }

  private void countEntries() {
    int total = 0;
    for (Map<ServiceKey, CatalogEntry> cluster : entries.values()) {
      total += cluster.size();
    }
    entryCount.set(total);
  }

  private void countClusters() {
    Map<ClusterHealth, Integer> counts = new java.util.EnumMap<>(ClusterHealth.class);
    health.values().forEach(state -> counts.merge(state, 1, Integer::sum));
    clustersByHealth.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0)));
  }

  /** Recomputes one service's federated state and tells subscribers if it changed. */
  private void refresh(ServiceKey key) {
    countEntries();
    Map<String, ClusterExport> contributions = new HashMap<>();
    for (Map.Entry<String, Map<ServiceKey, CatalogEntry>> cluster : entries.entrySet()) {
      CatalogEntry entry = cluster.getValue().get(key);
      if (entry != null) {
        ClusterExport export = contribution(entry);
        if (export != null) {
          contributions.put(cluster.getKey(), export);
        }
      }
    }
    FederatedService next = new FederatedService(key, contributions);
    FederatedService previous = next.isEmpty() ? visible.remove(key) : visible.put(key, next);
    if (previous == null ? !next.isEmpty() : !previous.equals(next)) {
      sequence++;
      for (Subscriber subscriber : subscribers) {
        subscriber.deliver(new CatalogEvent.ServiceChanged(next, sequence));
      }
    }
  }

  /** Null when the entry is not visible: unknown cluster, withdrawn, or superseded by a republished newer epoch. */
  private ClusterExport contribution(CatalogEntry entry) {
    ClusterRecord record = records.get(entry.clusterId());
    if (record == null) {
      return null;
    }
    ClusterHealth state = health.getOrDefault(entry.clusterId(), ClusterHealth.LIVE);
    if (state == ClusterHealth.WITHDRAWN) {
      return null;
    }
    if (entry.epoch() < record.epoch() && record.republished()) {
      return null;
    }
    return ClusterExport.of(entry, record, state == ClusterHealth.STALE);
  }

  private void emitCluster(String clusterId) {
    countClusters();
    sequence++;
    ClusterView view = new ClusterView(records.get(clusterId), health.get(clusterId));
    for (Subscriber subscriber : subscribers) {
      subscriber.deliver(new CatalogEvent.ClusterChanged(view, sequence));
    }
  }

  // ---- leases ----

  private ClusterHealth leaseState(ClusterRecord record) {
    long age = clusterClock.getAsLong() - record.heartbeatMillis();
    long lease = settings.leaseDuration().toMillis();
    if (age <= lease) {
      return ClusterHealth.LIVE;
    }
    if (settings.expiryPolicy() == ExpiryPolicy.FAIL_STATIC || age <= lease + settings.withdrawGrace().toMillis()) {
      return ClusterHealth.STALE;
    }
    return ClusterHealth.WITHDRAWN;
  }

  /**
   * Reads the records fresh from the catalog (off the owner context) before judging leases: when this view trails
   * a burst of entry events, the heartbeats it has applied are old, and a cluster must not be declared stale for
   * this member's backlog.
   */
  private void checkLeases() {
    if (closed || leaseCheckRunning) {
      return;
    }
    leaseCheckRunning = true;
    offContext(() -> new ArrayList<>(maps.clusters().values())).onComplete(fresh -> {
      leaseCheckRunning = false;
      if (closed) {
        // The read was cut off by the close (or came back after it): nothing is judged any more.
        return;
      }
      try {
        if (fresh.failed() && !maps.running()) {
          leasesUnjudged(fresh.cause());
          return;
        }
        if (fresh.succeeded()) {
          fresh.result().forEach(this::applyRecord);
        }
        // A running member whose read failed judges the records it has applied: silence still ages them.
        evaluateLeases();
        if (leasesUnjudged) {
          leasesUnjudged = false;
          LOG.info("cluster time available again: cluster leases are judged again");
        }
      } catch (HazelcastInstanceNotActiveException e) {
        leasesUnjudged(e);
      }
    });
  }

  /**
   * Ages are measured in cluster time, which a stopped member no longer has: no lease can be judged, so every
   * cluster keeps the health it had (unlike a member that lost its peers, which still sees them age) and the view
   * keeps serving.
   */
  private void leasesUnjudged(Throwable cause) {
    if (!leasesUnjudged) {
      leasesUnjudged = true;
      LOG.warn("this federation member stopped ({}): cluster leases are no longer judged; the last catalog view "
          + "keeps serving", cause.toString());
    }
  }

  private void evaluateLeases() {
    if (closed) {
      return;
    }
    for (ClusterRecord record : new ArrayList<>(records.values())) {
      String id = record.clusterId();
      ClusterHealth before = health.get(id);
      ClusterHealth now = leaseState(record);
      if (before == now) {
        continue;
      }
      health.put(id, now);
      switch (now) {
        case STALE -> LOG.warn("cluster {}: lease expired (no heartbeat for {} ms); endpoints marked stale{}", id,
            clusterClock.getAsLong() - record.heartbeatMillis(),
            settings.expiryPolicy() == ExpiryPolicy.FAIL_STATIC ? " and kept (FAIL_STATIC)"
                : ", withdrawn in " + settings.withdrawGrace().toMillis() + " ms unless it comes back");
        case WITHDRAWN -> LOG.warn("cluster {}: grace expired; endpoints withdrawn", id);
        case LIVE -> LOG.info("cluster {}: heartbeating again", id);
        default -> throw new IllegalStateException(now.name());
      }
      emitCluster(id);
      refreshCluster(id);
      if (now == ClusterHealth.WITHDRAWN && isOldestMember()) {
        purge(record);
      }
    }
  }

  /**
   * Deletes a withdrawn cluster's entries from the catalog, so members that join later never load them. Only the
   * oldest member does it; entries of an epoch newer than the withdrawn one (the cluster came back) are kept.
   */
  private void purge(ClusterRecord record) {
    offContext(() -> {
      maps.services().removeAll(new OwnedBefore(record.clusterId(), record.epoch() + 1));
      return null;
    }).onSuccess(v -> LOG.info("cluster {}: purged entries of withdrawn epoch {}", record.clusterId(),
        record.epoch()))
        .onFailure(e -> {
          if (closed) {
            LOG.debug("cluster {}: purge of withdrawn entries cut off by the close: {}", record.clusterId(),
                e.toString());
          } else {
            LOG.warn("cluster {}: purging withdrawn entries failed (anti-entropy keeps views right): {}",
                record.clusterId(), e.toString());
          }
        });
  }

  private boolean isOldestMember() {
    return hazelcast.getCluster().getMembers().iterator().next().localMember();
  }

  // ---- anti-entropy ----

  /**
   * One pass: compares per-bucket digests of the catalog (computed where the data lives, so only
   * {@link Digests#BUCKETS} longs travel) with this view's; for buckets that differ, compares versions key by key and
   * repairs what differs, the catalog being the truth.
   *
   * <p>The Hazelcast calls run on worker threads, not on the owner context, so events keep being applied meanwhile.
   * A periodic pass repairs only divergence it saw in the previous pass too, with the same catalog version: under a
   * write storm the view legitimately trails the map by the events still in flight, and those must not be "repaired"
   * (fetched twice). {@code confirmed = false} (an explicit request) repairs at once.
   */
  private Future<Integer> antiEntropy(boolean confirmed) {
    if (closed || passRunning) {
      return Future.succeededFuture(0);
    }
    passRunning = true;
    return offContext(() -> {
      List<ClusterRecord> fresh = new ArrayList<>(maps.clusters().values());
      return new Object[] {fresh, maps.services().aggregate(new BucketDigest())};
    }).compose(result -> {
      ensureOpen();
      @SuppressWarnings("unchecked")
      List<ClusterRecord> fresh = (List<ClusterRecord>) result[0];
      int repairedRecords = repairRecords(fresh);
      long[] remote = (long[]) result[1];
      long[] local = localDigest();
      BitSet differing = new BitSet(Digests.BUCKETS);
      for (int i = 0; i < Digests.BUCKETS; i++) {
        if (remote[i] != local[i]) {
          differing.set(i);
        }
      }
      if (differing.isEmpty()) {
        suspects.clear();
        return Future.succeededFuture(repairedRecords);
      }
      return offContext(() -> maps.services().project(new KeyVersions(), new InBuckets(differing)))
          .compose(versions -> {
            ensureOpen();
            return repairBuckets(differing, versions, confirmed);
          })
          .map(repaired -> repaired + repairedRecords);
    }).onComplete(result -> {
      passRunning = false;
      if (result.failed() && closed) {
        LOG.debug("anti-entropy pass stopped by the close: {}", result.cause().toString());
      } else if (result.failed()) {
        LOG.warn("anti-entropy pass failed, next one in {}: {}", settings.antiEntropyInterval(),
            result.cause().toString());
      } else if (result.result() > 0) {
        repairs.increment(result.result());
        LOG.warn("anti-entropy repaired {} catalog entries this member had missed or misapplied", result.result());
      }
    });
  }

  /**
   * Runs a blocking Hazelcast call on a worker thread, unless the view is closed (checked again on that thread): after
   * {@link #close} nothing of this view touches the member, which may be shutting down.
   */
  private <T> Future<T> offContext(java.util.concurrent.Callable<T> blocking) {
    if (closed) {
      return Future.failedFuture(closedException());
    }
    return context.owner().executeBlocking(() -> {
      ensureOpen();
      return blocking.call();
    }, false);
  }

  /** Ends a step of a pass that resumes after the view closed. */
  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("catalog view is closed");
  }

  private int repairRecords(List<ClusterRecord> fresh) {
    int repaired = 0;
    for (ClusterRecord record : fresh) {
      ClusterRecord mine = records.get(record.clusterId());
      if (mine == null || mine.epoch() < record.epoch()
          || (mine.epoch() == record.epoch() && (mine.republished() != record.republished()
          || !mine.info().equals(record.info())))) {
        repaired++;
      }
      applyRecord(record);
    }
    return repaired;
  }

  private long[] localDigest() {
    long[] sums = new long[Digests.BUCKETS];
    for (Map<ServiceKey, CatalogEntry> cluster : entries.values()) {
      for (CatalogEntry entry : cluster.values()) {
        EntryKey key = entry.key();
        sums[Digests.bucket(key)] += Digests.mix(key, entry.epoch(), entry.revision());
      }
    }
    return sums;
  }

  /** The catalog's version of a key as one pass saw it; {@code null} key version means absent from the catalog. */
  private record Seen(long epoch, long revision, boolean present) {
  }

  private Future<Integer> repairBuckets(BitSet buckets, Collection<VersionedKey> remote, boolean confirmed) {
    Map<EntryKey, Seen> catalog = new HashMap<>();
    for (VersionedKey versioned : remote) {
      catalog.put(versioned.key(), new Seen(versioned.epoch(), versioned.revision(), true));
    }
    Map<EntryKey, Seen> diverging = new HashMap<>();
    for (Map<ServiceKey, CatalogEntry> cluster : entries.values()) {
      for (CatalogEntry entry : cluster.values()) {
        EntryKey key = entry.key();
        if (buckets.get(Digests.bucket(key))) {
          Seen theirs = catalog.remove(key);
          if (theirs == null) {
            diverging.put(key, new Seen(0, 0, false));
          } else if (theirs.epoch() != entry.epoch() || theirs.revision() != entry.revision()) {
            diverging.put(key, theirs);
          }
        }
      }
    }
    diverging.putAll(catalog);
    Map<EntryKey, Seen> toRepair = new HashMap<>();
    if (confirmed) {
      diverging.forEach((key, seen) -> {
        if (seen.equals(suspects.get(key))) {
          toRepair.put(key, seen);
        }
      });
      suspects.clear();
      suspects.putAll(diverging);
      suspects.keySet().removeAll(toRepair.keySet());
    } else {
      toRepair.putAll(diverging);
    }
    if (toRepair.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Set<EntryKey> fetch = new HashSet<>();
    toRepair.forEach((key, seen) -> {
      if (seen.present()) {
        fetch.add(key);
      }
    });
    return offContext(() -> fetch.isEmpty() ? Map.<EntryKey, CatalogEntry>of() : maps.services().getAll(fetch))
        .map(fetched -> {
          ensureOpen();
          int repaired = 0;
          for (Map.Entry<EntryKey, Seen> repair : toRepair.entrySet()) {
            EntryKey key = repair.getKey();
            CatalogEntry value = fetched.get(key);
            if (value != null) {
              CatalogEntry mine = current(key);
              if (mine == null || !mine.equals(value)) {
                applyEntry(value, true);
                repaired++;
              }
            } else if (current(key) != null) {
              // Events applied since the fetch may have brought the key back; only drop what is still stale.
              CatalogEntry mine = current(key);
              if (!repair.getValue().present() || mine.epoch() < repair.getValue().epoch()
                  || (mine.epoch() == repair.getValue().epoch() && mine.revision() <= repair.getValue().revision())) {
                removeEntry(key, null);
                repaired++;
              }
            }
          }
          return repaired;
        });
  }

  private CatalogEntry current(EntryKey key) {
    Map<ServiceKey, CatalogEntry> cluster = entries.get(key.clusterId());
    return cluster == null ? null : cluster.get(key.service());
  }

  // ---- Hazelcast events → owner context ----

  private final class EntryListener implements EntryAddedListener<EntryKey, CatalogEntry>,
      EntryUpdatedListener<EntryKey, CatalogEntry>, EntryRemovedListener<EntryKey, CatalogEntry> {

    @Override
    public void entryAdded(EntryEvent<EntryKey, CatalogEntry> event) {
      put(event);
    }

    @Override
    public void entryUpdated(EntryEvent<EntryKey, CatalogEntry> event) {
      put(event);
    }

    @Override
    public void entryRemoved(EntryEvent<EntryKey, CatalogEntry> event) {
      if (eventLoss.test(event.getKey())) {
        return;
      }
      EntryKey key = event.getKey();
      CatalogEntry old = event.getOldValue();
      context.runOnContext(ignored -> {
        if (!closed) {
          removeEntry(key, old);
        }
      });
    }

    private void put(EntryEvent<EntryKey, CatalogEntry> event) {
      if (eventLoss.test(event.getKey())) {
        return;
      }
      CatalogEntry value = event.getValue();
      context.runOnContext(ignored -> {
        if (!closed) {
          applyEntry(value, false);
        }
      });
    }
  }

  private final class RecordListener implements EntryAddedListener<String, ClusterRecord>,
      EntryUpdatedListener<String, ClusterRecord> {

    @Override
    public void entryAdded(EntryEvent<String, ClusterRecord> event) {
      record(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, ClusterRecord> event) {
      record(event);
    }

    private void record(EntryEvent<String, ClusterRecord> event) {
      if (eventLoss.test(event.getKey())) {
        return;
      }
      ClusterRecord value = event.getValue();
      // Events still queued when the view closes are dropped: applying a record reads the cluster time, which a member
      // that is shutting down no longer has, and after the close the view touches the member no more.
      context.runOnContext(ignored -> {
        if (!closed) {
          applyRecord(value);
        }
      });
    }
  }

  // ---- subscribers ----

  /** Delivers in order on the subscriber's context; closing drops what is still queued. */
  private final class Subscriber implements CatalogSubscription {
    private final Context target;
    private final Handler<CatalogEvent> handler;
    private volatile boolean closed;

    Subscriber(Context target, Handler<CatalogEvent> handler) {
      this.target = target;
      this.handler = handler;
    }

    void deliver(CatalogEvent event) {
      target.runOnContext(ignored -> {
        if (!closed) {
          try {
            handler.handle(event);
          } catch (RuntimeException e) {
            LOG.error("catalog subscriber failed on {}", event.getClass().getSimpleName(), e);
          }
        }
      });
    }

    @Override
    public void close() {
      closed = true;
      subscribers.remove(this);
    }
  }
}
