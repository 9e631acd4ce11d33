package io.meshfed.gateway.l7.cluster;

import io.meshfed.gateway.l7.config.EngineSnapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps one {@link ClusterRuntime} per cluster of the serving snapshot: an unchanged spec keeps its runtime (and so
 * its pools, breakers and outlier state) and only receives the new endpoints; a changed spec gets a new runtime and
 * the old one is retired. Owner context only.
 */
public final class ClusterManager {

  private final Vertx vertx;
  private final Context owner;
  private final Consumer<ClusterRuntime> onRetired;
  private Map<String, ClusterRuntime> runtimes = Map.of();

  /** A manager whose runtimes live on {@code owner}; {@code onRetired} closes a retired runtime's pools. */
  public ClusterManager(Vertx vertx, Context owner, Consumer<ClusterRuntime> onRetired) {
    this.vertx = vertx;
    this.owner = owner;
    this.onRetired = onRetired;
  }

  /** Reconciles with {@code snapshot}; the future carries the runtimes to publish with it. */
  public Future<Map<String, ClusterRuntime>> reconcile(EngineSnapshot snapshot) {
    Map<String, ClusterRuntime> next = new LinkedHashMap<>();
    List<Future<ClusterRuntime>> creations = new ArrayList<>();
    List<ClusterRuntime> retiring = new ArrayList<>();
    for (ClusterSpec spec : snapshot.clusters().values()) {
      ClusterRuntime existing = runtimes.get(spec.name());
      EndpointSet endpoints = snapshot.endpointsOf(spec);
      if (existing != null && existing.spec().equals(spec)) {
        existing.update(endpoints, snapshot.secrets());
        next.put(spec.name(), existing);
      } else {
        if (existing != null) {
          retiring.add(existing);
        }
        Future<ClusterRuntime> created = ClusterRuntime.create(spec, endpoints, snapshot.secrets(), vertx, owner);
        creations.add(created.onSuccess(runtime -> next.put(spec.name(), runtime)));
      }
    }
    for (Map.Entry<String, ClusterRuntime> entry : runtimes.entrySet()) {
      if (!snapshot.clusters().containsKey(entry.getKey())) {
        retiring.add(entry.getValue());
      }
    }
    return Future.join(creations).transform(ignored -> {
      // Keep the snapshot's order so iteration is stable.
      Map<String, ClusterRuntime> ordered = new LinkedHashMap<>();
      for (String name : snapshot.clusters().keySet()) {
        if (next.containsKey(name)) {
          ordered.put(name, next.get(name));
        }
      }
      runtimes = java.util.Collections.unmodifiableMap(ordered);
      for (ClusterRuntime old : retiring) {
        old.retire();
        onRetired.accept(old);
      }
      return Future.succeededFuture(runtimes);
    });
  }

  /** Retires everything (engine close). */
  public void closeAll() {
    for (ClusterRuntime runtime : runtimes.values()) {
      runtime.retire();
      onRetired.accept(runtime);
    }
    runtimes = Map.of();
  }
}
