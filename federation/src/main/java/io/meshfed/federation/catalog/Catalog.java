package io.meshfed.federation.catalog;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The catalog on one Hazelcast member: this member's {@link FederationCatalog} view, and the publishers of the
 * clusters this member writes (its own, and the remote clusters it is primary for).
 */
public final class Catalog {

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
          return catalog.view.start().map(catalog);
        }));
  }

  public FederationCatalog view() {
    return view;
  }

  /**
   * Claims the next epoch for {@code info}'s cluster and returns its publisher; fails at once, creating nothing, once
   * the catalog is closed.
   */
  public Future<ClusterPublisher> publisher(ClusterInfo info) {
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
      return HazelcastPublisher.start(owner.context(), maps, settings, clusterClock, info, memberName);
    });
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

  /** Closes the view and every publisher's context; later {@link #publisher} calls fail. */
  public Future<Void> close() {
    List<OwnerContext> owners;
    synchronized (publisherOwners) {
      closed = true;
      owners = new ArrayList<>(publisherOwners);
    }
    return view.close().eventually(() -> Future.join(owners.stream().map(OwnerContext::close).toList()))
        .eventually(viewOwner::close).mapEmpty();
  }
}
