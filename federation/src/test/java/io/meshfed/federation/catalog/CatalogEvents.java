package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records what a subscriber receives and keeps the current state, for assertions with a deadline. */
final class CatalogEvents {

  private final List<CatalogEvent> events = new ArrayList<>();
  private final Map<ServiceKey, FederatedService> services = new HashMap<>();
  private final Map<String, ClusterView> clusters = new HashMap<>();
  private final CatalogSubscription subscription;

  CatalogEvents(Vertx vertx, FederationCatalog catalog) {
    this.subscription = catalog.subscribe(vertx.getOrCreateContext(), this::record);
  }

  private synchronized void record(CatalogEvent event) {
    events.add(event);
    if (event instanceof CatalogEvent.Snapshot snapshot) {
      services.putAll(snapshot.services());
      clusters.putAll(snapshot.clusters());
    } else if (event instanceof CatalogEvent.ServiceChanged changed) {
      if (changed.service().isEmpty()) {
        services.remove(changed.key());
      } else {
        services.put(changed.key(), changed.service());
      }
    } else if (event instanceof CatalogEvent.ClusterChanged changed) {
      clusters.put(changed.cluster().clusterId(), changed.cluster());
    }
    notifyAll();
  }

  synchronized List<CatalogEvent> events() {
    return List.copyOf(events);
  }

  synchronized FederatedService service(ServiceKey key) {
    return services.getOrDefault(key, FederatedService.empty(key));
  }

  synchronized ClusterView cluster(String id) {
    return clusters.get(id);
  }

  /** Waits until {@code condition} holds on this subscriber's state. */
  synchronized void await(String what, Duration timeout, Predicate<CatalogEvents> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      assertThat(left).as("timed out waiting for: %s; last events: %s", what,
          events.subList(Math.max(0, events.size() - 5), events.size())).isPositive();
      try {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  void close() {
    subscription.close();
  }
}
