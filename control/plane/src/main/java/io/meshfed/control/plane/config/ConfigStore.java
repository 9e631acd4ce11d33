package io.meshfed.control.plane.config;

import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link ConfigSnapshot} and replaces it when a source changes.
 *
 * <p>Threading: the store owns one thread ({@code meshfed-config-store}); every change hops onto it, changes
 * arriving within {@code debounce} of each other are coalesced into one rebuild, and parsing and validation run
 * there, never on an event loop. {@link #current()} is a volatile read from any thread. Subscribers are called on
 * the store's thread and must hand the snapshot to their own context rather than work on it there.
 *
 * <p>Nothing is published before every source has finished its first full read, so consumers never see a partial
 * config (a VirtualService without its DestinationRule).
 */
public final class ConfigStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigStore.class);

  private final List<ConfigSource> sources;
  private final Duration debounce;
  private final SnapshotBuilder builder;
  private final ScheduledExecutorService thread;
  private final List<Consumer<ConfigSnapshot>> subscribers = new CopyOnWriteArrayList<>();
  private volatile ConfigSnapshot current;

  // Owned by the store thread.
  private boolean rebuildScheduled;
  private List<List<RawResource>> lastInputs = List.of();
  private Set<String> loggedMessages = Set.of();

  private ConfigStore(Builder b) {
    this.sources = List.copyOf(b.sources);
    this.debounce = b.debounce;
    this.builder = new SnapshotBuilder(new ResourceParser(b.mesh));
    this.current = ConfigSnapshot.empty(b.mesh);
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "meshfed-config-store");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts every source; the first snapshot follows once all have read everything. */
  public void start() {
    for (ConfigSource source : sources) {
      source.start(this::sourceChanged);
    }
  }

  /** The latest snapshot; version 0 (empty) until the first is published. */
  public ConfigSnapshot current() {
    return current;
  }

  /**
   * Calls {@code subscriber} with every new snapshot (and with the current one, if any has been published).
   * Closing the returned handle unsubscribes.
   */
  public AutoCloseable subscribe(Consumer<ConfigSnapshot> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    thread.execute(() -> {
      subscribers.add(subscriber);
      if (current.version() > 0) {
        deliver(subscriber, current);
      }
    });
    return () -> subscribers.remove(subscriber);
  }

  @Override
  public void close() {
    for (ConfigSource source : sources) {
      try {
        source.close();
      } catch (RuntimeException e) {
        LOG.warn("closing config source {} failed", source.name(), e);
      }
    }
    thread.shutdownNow();
  }

  private void sourceChanged() {
    try {
      thread.execute(this::scheduleRebuild);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the store is closed; late events from sources are dropped
    }
  }

  private void scheduleRebuild() {
    if (!rebuildScheduled) {
      rebuildScheduled = true;
      thread.schedule(this::rebuild, debounce.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void rebuild() {
    rebuildScheduled = false;
    if (!sources.stream().allMatch(ConfigSource::ready)) {
      return;
    }
    try {
      List<SourceContents> contents = new ArrayList<>();
      for (ConfigSource source : sources) {
        contents.add(source.contents());
      }
      List<List<RawResource>> inputs = contents.stream().map(SourceContents::resources).toList();
      if (current.version() > 0 && sameInstances(inputs, lastInputs)
          && contents.stream().allMatch(c -> c.messages().isEmpty())) {
        return; // nothing changed (e.g. an informer resync)
      }
      ConfigSnapshot next = builder.build(contents, current);
      lastInputs = inputs;
      current = next;
      logChanges(next);
      for (Consumer<ConfigSnapshot> subscriber : subscribers) {
        deliver(subscriber, next);
      }
    } catch (RuntimeException e) {
      LOG.error("building config snapshot {} failed; snapshot {} keeps serving", current.version() + 1,
          current.version(), e);
    }
  }

  private static boolean sameInstances(List<List<RawResource>> a, List<List<RawResource>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      List<RawResource> x = a.get(i);
      List<RawResource> y = b.get(i);
      if (x.size() != y.size()) {
        return false;
      }
      for (int j = 0; j < x.size(); j++) {
        if (x.get(j) != y.get(j)) {
          return false;
        }
      }
    }
    return true;
  }

  private void logChanges(ConfigSnapshot snapshot) {
    LOG.info("published {}", snapshot);
    Set<String> now = new HashSet<>();
    for (Message message : snapshot.messages()) {
      String line = message.toString();
      now.add(line);
      if (!loggedMessages.contains(line)) {
        if (message.severity() == Severity.ERROR) {
          LOG.warn("{} (fix: {})", line, message.fix());
        } else {
          LOG.info("{} (fix: {})", line, message.fix());
        }
      }
    }
    loggedMessages = now;
  }

  private static void deliver(Consumer<ConfigSnapshot> subscriber, ConfigSnapshot snapshot) {
    try {
      subscriber.accept(snapshot);
    } catch (RuntimeException e) {
      LOG.error("config subscriber {} failed on snapshot {}", subscriber, snapshot.version(), e);
    }
  }

  /** Builds a {@link ConfigStore}; each setter validates its argument. */
  public static final class Builder {

    private final List<ConfigSource> sources = new ArrayList<>();
    private MeshSettings mesh = MeshSettings.DEFAULT;
    private Duration debounce = Duration.ofMillis(50);

    private Builder() {
    }

    public Builder source(ConfigSource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    public Builder mesh(MeshSettings mesh) {
      this.mesh = Objects.requireNonNull(mesh, "mesh");
      return this;
    }

    /** How long to wait after a change for more before rebuilding (default 50ms). */
    public Builder debounce(Duration debounce) {
      if (debounce.isNegative()) {
        throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
      }
      this.debounce = debounce;
      return this;
    }

    public ConfigStore build() {
      if (sources.isEmpty()) {
        throw new IllegalStateException("sources: none (expected: at least one config source)");
      }
      return new ConfigStore(this);
    }
  }
}
