package io.meshfed.federation.catalog;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog on one Hazelcast member: this member's {@link FederationCatalog} view, and the publishers of the
 * clusters this member writes (its own, and the remote clusters it is primary for).
 */
public final class Catalog {

  private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final CatalogMaps maps;
  private final CatalogSettings settings;
  private final String memberName;
  private final LongSupplier clusterClock;
  private final OwnerContext viewOwner;
  private final CatalogView view;
  private final List<OwnerContext> publisherOwners = new ArrayList<>();
  /** Guarded by {@link #publisherOwners}, so a publisher requested while the catalog closes is closed too. */
  private boolean closed;

  private Catalog(Vertx vertx, HazelcastInstance hazelcast, CatalogSettings settings, String memberName,
      OwnerContext viewOwner, MeterRegistry meters) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.maps = new CatalogMaps(hazelcast);
    this.settings = settings;
    this.memberName = memberName;
    // Leases are measured in Hazelcast's cluster time, which members agree on, so a member that joins late judges
    // a silent cluster's age as everyone else does.
    this.clusterClock = () -> hazelcast.getCluster().getClusterTime();
    this.viewOwner = viewOwner;
    this.view = new CatalogView(viewOwner.context(), hazelcast, maps, settings, clusterClock, meters);
  }

  /**
   * Starts this member's view on a member configured with {@link CatalogMaps#configure}; completes once the whole
   * catalog is loaded.
   */
  public static Future<Catalog> start(Vertx vertx, HazelcastInstance hazelcast, CatalogSettings settings,
      String memberName, MeterRegistry meters) {
    Objects.requireNonNull(hazelcast, "hazelcast");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(meters, "meters");
    return vertx.executeBlocking(() -> MeshPolicy.agree(hazelcast, settings), false)
        .compose(agreed -> OwnerContext.create(vertx).compose(owner -> {
          Catalog catalog = new Catalog(vertx, hazelcast, agreed, memberName, owner, meters);
          // A view that fails to load is closed (its listeners already added removed) and its context undeployed:
          // nothing else would ever release them.
          return catalog.view.start().map(catalog).recover(failure -> catalog.view.close().eventually(owner::close)
              .transform(ignored -> Future.failedFuture(failure)));
        }));
  }

  public FederationCatalog view() {
    return view;
  }

  /**
   * Claims the next epoch for {@code info}'s cluster and returns its publisher, on a worker context of its own that
   * the publisher's close undeploys. Once the catalog is closed, fails at once, claiming nothing. When the close comes
   * while the claim is out, the claim may already have written its epoch into the cluster's record, where nobody
   * heartbeats it (the cluster goes stale when its lease runs out, until the next claim): the publisher is closed
   * once the claim returns and this fails with "catalog is closed", or with the claim's own failure if it fails.
   */
  public Future<ClusterPublisher> publisher(ClusterInfo info) {
    return claim(info, AfterFence.STOP);
  }

  /**
   * Claims the next epoch for {@code info}'s cluster as {@link #publisher} does, and returns a publisher that, once a
   * newer epoch fences it, stands by and claims the cluster again when its owner stops heartbeating: for control planes
   * run as replicas, each of which publishes the same cluster (see {@link StandbyPublisher}). Completes with the first
   * claim, and fails as {@link #publisher} does.
   */
  public Future<ClusterPublisher> standbyPublisher(ClusterInfo info) {
    return claim(info, AfterFence.STAND_BY).compose(first -> ownedContext(info).transform(owner -> {
      if (owner.failed()) {
        return first.close().transform(ignored -> Future.failedFuture(owner.cause()));
      }
      return Future.succeededFuture(StandbyPublisher.start(owner.result().context(), first, info,
          next -> claim(next, AfterFence.STAND_BY), view, settings, () -> release(owner.result())));
    }));
  }

  private Future<ClusterPublisher> claim(ClusterInfo info, AfterFence afterFence) {
    return ownedContext(info).compose(owner -> HazelcastPublisher.start(owner.context(), maps, settings, clusterClock,
        info, memberName, () -> release(owner), afterFence).transform(started -> {
          if (started.failed()) {
            // Nothing else holds the context: a failed claim must not leave a worker deployed until the close.
            return release(owner).transform(ignored -> Future.failedFuture(started.cause()));
          }
          boolean closedMeanwhile;
          synchronized (publisherOwners) {
            closedMeanwhile = closed;
          }
          if (closedMeanwhile) {
            // The close undeployed the context under the claim: the publisher would heartbeat from a dead one.
            return started.result().close().transform(ignored -> Future.failedFuture(closed(info)));
          }
          return Future.succeededFuture(started.result());
        }));
  }

  /**
   * A worker context for one publisher of {@code info}'s cluster, which the catalog's close undeploys if the publisher
   * has not released it; fails once the catalog is closed.
   */
  private Future<OwnerContext> ownedContext(ClusterInfo info) {
    synchronized (publisherOwners) {
      if (closed) {
        return Future.failedFuture(closed(info));
      }
    }
    return OwnerContext.create(vertx).compose(owner -> {
      boolean kept;
      synchronized (publisherOwners) {
        kept = !closed && publisherOwners.add(owner);
      }
      if (!kept) {
        // Closed while the context was being deployed: the close did not see it, so it is undone here.
        return owner.close().transform(ignored -> Future.failedFuture(closed(info)));
      }
      return Future.succeededFuture(owner);
    });
  }

  /** Undeploys a publisher's context, which the catalog's close then no longer needs to. */
  private Future<Void> release(OwnerContext owner) {
    synchronized (publisherOwners) {
      publisherOwners.remove(owner);
    }
    return owner.close();
  }

  private static IllegalStateException closed(ClusterInfo info) {
    return new IllegalStateException("catalog is closed: no publisher for cluster " + info.clusterId());
  }

  /** The settings in force: this member's, with the mesh-wide expiry rules the first member recorded. */
  public CatalogSettings settings() {
    return settings;
  }

  /** Runs one anti-entropy pass now; completes with the number of entries repaired. */
  public Future<Integer> repairNow() {
    return view.repairNow();
  }

  CatalogView viewForTests() {
    return view;
  }

  HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /**
   * Closes the view, undeploys the contexts of the publishers still open (which stops their heartbeats), then the
   * view's context; later {@link #publisher} calls fail. The view's close waits at most
   * {@link CatalogSettings#closeTimeout()} once its context runs it, and the publishers' undeployment at most that
   * limit from when it starts (an undeployment waits for its context, which a Hazelcast call may hold). The view's
   * context is neither waited for before its close runs nor bounded in its undeployment: nothing holds it, as the view
   * makes no blocking call on its context after its start.
   */
  public Future<Void> close() {
    List<OwnerContext> owners;
    synchronized (publisherOwners) {
      closed = true;
      owners = new ArrayList<>(publisherOwners);
    }
    Duration limit = settings.closeTimeout();
    return view.close()
        .eventually(() -> CloseLimit.within(Future.join(owners.stream().map(OwnerContext::close).toList()), limit,
            () -> LOG.warn("catalog closed with the contexts of {} publishers still being undeployed after {} ms (the "
                + "federation member may be shutting down)", owners.size(), limit.toMillis())))
        .eventually(viewOwner::close).mapEmpty();
  }
}
