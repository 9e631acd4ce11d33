package io.meshfed.federation.catalog;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.Map;

/**
 * This member's view of the federation catalog: what every cluster exports, with leases applied (stale marking,
 * withdrawal) and repaired by anti-entropy. The control plane subscribes and turns it into endpoints.
 *
 * <p>Threading: events are delivered on the {@link Context} given to {@link #subscribe}, in order, never
 * concurrently; a slow handler delays only its own subscription.
 */
public interface FederationCatalog {

  /** Subscribes; the first event is a {@link CatalogEvent.Snapshot}. See {@link CatalogEvent} for the order. */
  CatalogSubscription subscribe(Context context, Handler<CatalogEvent> handler);

  /** Completes once this member has loaded the whole catalog. */
  Future<Void> synced();

  /** The clusters known to this member, by id. */
  Future<Map<String, ClusterView>> clusters();

  /** One service's federated state (empty if nobody exports it). */
  Future<FederatedService> service(ServiceKey key);
}
