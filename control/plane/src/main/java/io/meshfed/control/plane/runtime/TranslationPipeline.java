package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.SnapshotCache;
import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.trust.TrustBundle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns changes into snapshots, push-on-change only: a new config snapshot, a catalog event or a newly connected
 * gateway group marks the state dirty; one translation at a time runs on a worker over the latest state, and a change
 * during a run triggers one more run afterwards (latest wins, bursts coalesce). The snapshots go to the ADS server's
 * {@link SnapshotCache}, which pushes only groups whose resources changed, after its debounce.
 *
 * <p>Owned by one context: every input hops onto it.
 */
final class TranslationPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(TranslationPipeline.class);

  private final Vertx vertx;
  private final Context context;
  private final Translation translation;
  private final SnapshotCache cache;
  private final Supplier<TrustBundle> trust;
  private final Timer duration;
  private final Counter failures;

  // Owned by the context.
  private ConfigSnapshot config;
  private RemoteCatalog catalog = RemoteCatalog.empty();
  private final List<CatalogEvent> pendingCatalog = new ArrayList<>();
  private final Set<String> groups = new LinkedHashSet<>();
  private Set<String> served = Set.of();
  private boolean catalogLoaded;
  private boolean running;
  private boolean dirty;
  private long generation;
  private volatile MeshState lastState;

  TranslationPipeline(Vertx vertx, Context context, Translation translation, SnapshotCache cache,
      Supplier<TrustBundle> trust, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.translation = translation;
    this.cache = cache;
    this.trust = trust;
    this.duration = Timer.builder("meshfed_translation_duration_seconds")
        .description("one translation of the mesh state into every group's snapshot").register(registry);
    this.failures = Counter.builder("meshfed_translation_failures_total")
        .description("translations that failed; the previous snapshots keep serving").register(registry);
  }

  /** A new config snapshot (from the config store's thread). */
  void configChanged(ConfigSnapshot snapshot) {
    context.runOnContext(v -> {
      config = snapshot;
      changed();
    });
  }

  /** A catalog event (delivered on this pipeline's context by the catalog subscription). */
  void catalogEvent(CatalogEvent event) {
    context.runOnContext(v -> {
      // Folded once per translation (one copy of the catalog's maps), not once per event: a burst of events
      // between two translations costs one copy. A snapshot replaces what came before it; a long wait for the
      // first translation (no gateway yet) folds every 1,024 events, so the list stays small.
      if (event instanceof CatalogEvent.Snapshot) {
        pendingCatalog.clear();
      }
      pendingCatalog.add(event);
      if (pendingCatalog.size() >= 1_024) {
        foldCatalog();
      }
      if (event instanceof CatalogEvent.Synced) {
        catalogLoaded = true;
      }
      changed();
    });
  }

  /** A gateway group seen for the first time (from the ADS server's context). */
  void groupConnected(String group) {
    context.runOnContext(v -> {
      if (groups.add(group)) {
        changed();
      }
    });
  }

  /** A known group whose gateways announce something new (labels during a rollout): translate again. */
  void groupChanged(String group) {
    context.runOnContext(v -> {
      groups.add(group);
      changed();
    });
  }

  /**
   * A group forgotten (no gateway of it connected for a while): its snapshot is cleared now, and the others are
   * translated again without it (the Gateways it selected may now select nothing).
   */
  void groupGone(String group) {
    context.runOnContext(v -> {
      if (groups.remove(group)) {
        cache.clearSnapshot(group);
        Set<String> rest = new LinkedHashSet<>(served);
        rest.remove(group);
        served = Set.copyOf(rest);
        changed();
      }
    });
  }

  /** The trust bundle may have changed (root rotation): translate again. */
  void trustChanged() {
    context.runOnContext(v -> changed());
  }

  /** The last state translated, for the admin API. */
  MeshState lastState() {
    return lastState;
  }

  private void changed() {
    dirty = true;
    // Nothing is translated before the config and the catalog were loaded once: a partial view would withdraw
    // every remote endpoint from the gateways for a moment.
    if (config == null || !catalogLoaded || running || groups.isEmpty()) {
      return;
    }
    run();
  }

  private void foldCatalog() {
    if (!pendingCatalog.isEmpty()) {
      catalog = catalog.applyAll(pendingCatalog);
      pendingCatalog.clear();
    }
  }

  private void run() {
    dirty = false;
    running = true;
    foldCatalog();
    MeshState state = new MeshState(config, catalog, trust.get(), ++generation);
    Set<String> targets = Set.copyOf(groups);
    long started = System.nanoTime();
    vertx.<Map<String, Snapshot>>executeBlocking(() -> translation.translate(state, targets), false)
        .onComplete(result -> context.runOnContext(v -> {
          running = false;
          duration.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
          if (result.succeeded()) {
            lastState = state;
            result.result().forEach((group, snapshot) -> cache.setSnapshot(group, snapshot)
                .onFailure(e -> LOG.error("group {}: snapshot not stored: {}", group, e.getMessage())));
            for (String group : served) {
              if (!result.result().containsKey(group)) {
                LOG.info("group {}: no longer translated; its snapshot is withdrawn", group);
                cache.clearSnapshot(group);
              }
            }
            served = Set.copyOf(result.result().keySet());
            LOG.debug("translated {} for {} group(s)", state, result.result().size());
          } else {
            failures.increment();
            LOG.error("translation of {} failed; the previous snapshots keep serving", state, result.cause());
          }
          if (dirty) {
            run();
          }
        }));
  }
}
