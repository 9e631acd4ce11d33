package io.meshfed.federation.catalog;

import io.vertx.core.Future;
import java.util.Collection;

/**
 * Writes one cluster's record and exported services into the catalog, fenced by the epoch it claimed at start. Only
 * one publisher per cluster id is live at a time: a newer epoch fences the older one, which then stops writing instead
 * of fighting: for good ({@link #fenced()} completes) if it came from {@link Catalog#publisher}, standing by to take
 * over if it came from {@link Catalog#standbyPublisher}.
 *
 * <p>Every method may be called from any thread; writes are coalesced per service (the latest state wins) and
 * carried out in order.
 */
public interface ClusterPublisher {

  String clusterId();

  /** The epoch claimed at start. */
  long epoch();

  /**
   * The cluster's complete set of exported services: publishes what changed, withdraws what is absent. Completes
   * when the set is in the catalog; the first completion also marks this epoch republished and clears entries of
   * older epochs (a restarted cluster "comes back cleanly").
   */
  Future<Void> replaceAll(Collection<ExportedService> services);

  /** Publishes one service's current state. */
  void publish(ExportedService service);

  /** Withdraws one service. */
  void withdraw(ServiceKey key);

  /** Updates what the cluster says about itself (network, locality, gateways, version). */
  void updateInfo(ClusterInfo info);

  /**
   * Suspends or resumes heartbeats: a publisher whose source is unreachable stops renewing the lease, so the mesh
   * marks the cluster stale and applies its expiry policy, exactly as if the cluster had gone.
   */
  void heartbeating(boolean enabled);

  /**
   * Completes when a newer epoch took over this cluster id and this publisher has stopped for good; a standby
   * publisher's never completes (fenced, it stands by).
   */
  Future<Void> fenced();

  /**
   * Stops heartbeating and writing; entries stay until their lease runs out (a restart is not a withdrawal). What the
   * close cuts off (a pending {@link #replaceAll}) fails with {@link PublisherClosedException}. Completes within
   * {@link CatalogSettings#closeTimeout()} even on a member that is shutting down, and even while the publisher's
   * context is held by a call that does not return; every call returns the first one's outcome.
   */
  Future<Void> close();
}
