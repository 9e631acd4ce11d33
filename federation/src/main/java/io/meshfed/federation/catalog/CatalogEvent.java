package io.meshfed.federation.catalog;

import java.util.Map;

/**
 * What a catalog subscriber receives, in this order: one {@link Snapshot}, then {@link ServiceChanged} and
 * {@link ClusterChanged} as they happen (ordered per service by {@code sequence}), and one {@link Synced} once this
 * member has loaded the whole catalog. A subscriber that arrives after the load gets Snapshot then Synced at once.
 * Every value is immutable.
 */
public sealed interface CatalogEvent {

  /** Everything visible when the subscription started. */
  record Snapshot(Map<ServiceKey, FederatedService> services, Map<String, ClusterView> clusters, long sequence)
      implements CatalogEvent {
    public Snapshot {
      services = Map.copyOf(services);
      clusters = Map.copyOf(clusters);
    }
  }

  /** A service's new federated state; {@link FederatedService#isEmpty()} when no cluster exports it any more. */
  record ServiceChanged(FederatedService service, long sequence) implements CatalogEvent {
    public ServiceKey key() {
      return service.key();
    }
  }

  /** A cluster's record or lease state changed (heartbeats alone are not reported). */
  record ClusterChanged(ClusterView cluster, long sequence) implements CatalogEvent {
  }

  /** This member holds the whole catalog: consumers may now act on absences (e.g. push a full config). */
  record Synced(long sequence) implements CatalogEvent {
  }
}
