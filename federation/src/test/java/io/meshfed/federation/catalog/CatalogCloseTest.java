package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.FirstWrite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed catalog hands out no publisher and its view touches the member no more; a publisher's worker context lives
 * exactly as long as the publisher.
 */
class CatalogCloseTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");

  private final Vertx vertx = Vertx.vertx();
  private final LoopbackMembers members = new LoopbackMembers(1);
  private final List<OwnerContext> owners = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (OwnerContext owner : owners) {
      await(owner.close());
    }
    members.close();
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, WAIT);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    return Await.failure(future, WAIT);
  }

  @Test
  void aPublisherAskedForAfterCloseFailsAtOnceAndDeploysNothing() throws Exception {
    Catalog catalog = await(Catalog.start(vertx, members.start(0), CatalogSettings.DEFAULTS, "east",
        new SimpleMeterRegistry()));
    await(catalog.close());
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());

    Future<ClusterPublisher> publisher = catalog.publisher(ClusterInfo.of("east"));

    assertThat(publisher.failed()).as("failed at once").isTrue();
    assertThat(publisher.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("catalog is closed");
    assertThat(vertx.deploymentIDs()).containsExactlyInAnyOrderElementsOf(deployed);
  }

  @Test
  void aViewThatFailsToLoadLeavesNoContextDeployed() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    // A value no catalog writes: loading the records fails on it.
    hazelcast.getMap(CatalogMaps.CLUSTERS).put("west", "not a cluster record");
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());

    Throwable failed = failure(Catalog.start(vertx, hazelcast, CatalogSettings.DEFAULTS, "east",
        new SimpleMeterRegistry()));

    assertThat(failed).isInstanceOf(ClassCastException.class);
    assertThat(vertx.deploymentIDs()).as("the view's context undeployed").containsExactlyInAnyOrderElementsOf(deployed);
  }

  @Test
  void anAntiEntropyPassOutWhenTheViewClosesStopsThere() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    CatalogMaps maps = new CatalogMaps(hazelcast);
    LongSupplier clock = () -> hazelcast.getCluster().getClusterTime();
    OwnerContext owner = await(OwnerContext.create(vertx));
    owners.add(owner);
    CatalogView view = new CatalogView(owner.context(), hazelcast, maps, CatalogSettings.DEFAULTS, clock,
        new SimpleMeterRegistry());
    await(view.start());
    // The view misses this entry's event, so a pass finds the difference and would fetch the entry.
    view.eventLoss = key -> key instanceof EntryKey;
    ClusterPublisher publisher = await(HazelcastPublisher.start(vertx.getOrCreateContext(), maps,
        CatalogSettings.DEFAULTS, clock, ClusterInfo.of("east"), "test"));
    await(publisher.replaceAll(List.of(ExportedService.viaGateway(REVIEWS,
        List.of(new ServicePort("http", 9080, "TCP", "")), 1))));
    await(publisher.close());
    CountDownLatch held = Await.hold(owner.context());

    // Queued in this order behind the held context: the pass sends its digest read off the context, then the close
    // runs before the digests come back to the context.
    Future<Integer> repaired = view.repairNow();
    Future<Void> closed = view.close();
    held.countDown();

    await(closed);
    Throwable failure = null;
    try {
      await(repaired);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure).as("the pass ends at the close, without its key and entry reads")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(await(view.service(REVIEWS)).isEmpty()).as("nothing repaired after the close").isTrue();
  }

  @Test
  void aPublisherWhoseClaimIsOutWhenTheCatalogClosesIsClosedAndFails() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());
    Catalog catalog = await(Catalog.start(vertx, hazelcast, CatalogSettings.DEFAULTS, "east",
        new SimpleMeterRegistry()));
    FirstWrite claim = FirstWrite.held();
    hazelcast.getMap(CatalogMaps.CLUSTERS).addInterceptor(claim);

    Future<ClusterPublisher> publisher = catalog.publisher(ClusterInfo.of("east"));
    try {
      assertThat(claim.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the claim is out").isTrue();
      await(catalog.close());
    } finally {
      claim.release();
    }

    assertThat(failure(publisher)).as("not handed out live after the close")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("catalog is closed");
    assertThat(vertx.deploymentIDs()).containsExactlyInAnyOrderElementsOf(deployed);
  }

  @Test
  void aFailedClaimAndAClosedPublisherLeaveNoWorkerContextDeployed() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    Catalog catalog = await(Catalog.start(vertx, hazelcast, CatalogSettings.DEFAULTS, "east",
        new SimpleMeterRegistry()));
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());
    hazelcast.getMap(CatalogMaps.CLUSTERS).addInterceptor(FirstWrite.failed());

    assertThat(failure(catalog.publisher(ClusterInfo.of("east")))).as("the claim failed").isNotNull();
    assertThat(vertx.deploymentIDs()).as("the failed claim's context undeployed")
        .containsExactlyInAnyOrderElementsOf(deployed);

    ClusterPublisher publisher = await(catalog.publisher(ClusterInfo.of("east")));
    assertThat(vertx.deploymentIDs()).hasSize(deployed.size() + 1);
    await(publisher.close());
    assertThat(vertx.deploymentIDs()).as("the closed publisher's context undeployed")
        .containsExactlyInAnyOrderElementsOf(deployed);
    await(catalog.close());
  }

  @Test
  void aClaimOnAStoppedMemberFailsAndLeavesNoWorkerContextDeployed() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    Catalog catalog = await(Catalog.start(vertx, hazelcast, CatalogSettings.builder()
        .closeTimeout(Duration.ofMillis(200)).build(), "east", new SimpleMeterRegistry()));
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());
    hazelcast.getLifecycleService().terminate();

    // The claim throws at once (cluster time, the map) rather than failing as an operation.
    assertThat(failure(catalog.publisher(ClusterInfo.of("east")))).as("the claim failed")
        .isInstanceOf(HazelcastInstanceNotActiveException.class);
    assertThat(vertx.deploymentIDs()).containsExactlyInAnyOrderElementsOf(deployed);
    await(catalog.close());
  }

  @Test
  void eventsStillQueuedWhenTheViewClosesAreDropped() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    CatalogMaps maps = new CatalogMaps(hazelcast);
    LongSupplier memberClock = () -> hazelcast.getCluster().getClusterTime();
    // The clock of a member shutting down: after the close, reading it throws (and is counted).
    AtomicBoolean afterClose = new AtomicBoolean();
    AtomicInteger readsAfterClose = new AtomicInteger();
    LongSupplier clock = () -> {
      if (afterClose.get()) {
        readsAfterClose.incrementAndGet();
        throw new HazelcastInstanceNotActiveException();
      }
      return memberClock.getAsLong();
    };
    OwnerContext owner = await(OwnerContext.create(vertx));
    owners.add(owner);
    CatalogView view = new CatalogView(owner.context(), hazelcast, maps, CatalogSettings.DEFAULTS, clock,
        new SimpleMeterRegistry());
    await(view.start());
    CountDownLatch recordEvents = new CountDownLatch(2);
    view.eventLoss = key -> {
      if ("east".equals(key)) {
        recordEvents.countDown();
      }
      return false;
    };
    CountDownLatch held = Await.hold(owner.context());

    Future<Void> closed = view.close();
    owner.context().runOnContext(ignored -> afterClose.set(true));
    // Two claims of one record: its events reach the listener in order on one event thread, so once the second is
    // seen, the first one's task is queued on the view's context, behind the close.
    Context publishing = vertx.getOrCreateContext();
    for (String name : List.of("a", "b")) {
      ClusterPublisher publisher = await(HazelcastPublisher.start(publishing, maps, CatalogSettings.DEFAULTS,
          memberClock, ClusterInfo.of("east"), name));
      await(publisher.close());
    }
    assertThat(recordEvents.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both record events seen").isTrue();
    held.countDown();

    await(closed);
    await(view.clusters());
    assertThat(readsAfterClose).as("the cluster clock read after the close").hasValue(0);
  }
}
