package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.CapturedLogs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane replicas of cluster east, each a member of its own: each publishes east through a standby
 * publisher, the later claim fences the earlier, and the fenced one takes over once the owner stops heartbeating.
 */
class StandbyPublisherTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ClusterInfo EAST = ClusterInfo.of("east");
  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");
  private static final ServiceKey RATINGS = ServiceKey.of("default", "ratings");

  private final Vertx vertx = Vertx.vertx();
  private final LoopbackMembers members = new LoopbackMembers(2);
  private final List<Catalog> catalogs = new ArrayList<>();
  /** A lease of a second, checked every 200 ms; a grace long enough that no test ever reaches a withdrawal by it. */
  private final CatalogSettings fast = CatalogSettings.builder()
      .heartbeatInterval(Duration.ofMillis(200))
      .leaseDuration(Duration.ofSeconds(1))
      .withdrawGrace(Duration.ofMinutes(1))
      .antiEntropyInterval(Duration.ofMinutes(10))
      .closeTimeout(Duration.ofSeconds(3))
      .build();
  private Catalog replicaA;
  private Catalog replicaB;
  private CatalogEvents atA;

  @BeforeEach
  void startReplicas() throws Exception {
    replicaA = catalog(0, "east-a");
    replicaB = catalog(1, "east-b");
    atA = new CatalogEvents(vertx, replicaA.view());
  }

  @AfterEach
  void stop() throws Exception {
    for (Catalog catalog : catalogs) {
      catalog.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    members.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Catalog catalog(int member, String name) throws Exception {
    Catalog catalog = await(Catalog.start(vertx, members.start(member), fast, name, new SimpleMeterRegistry()));
    catalogs.add(catalog);
    return catalog;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, WAIT);
  }

  private static ExportedService service(ServiceKey key, int healthy) {
    return ExportedService.viaGateway(key, List.of(new ServicePort("http", 9080, "TCP", "http")), healthy);
  }

  /** A fences B's claim: B's delegate logs that it stands by (at INFO, not as an error). */
  private static void awaitStandingBy(CapturedLogs logged, long epoch) throws InterruptedException {
    logged.await(event -> event.getFormattedMessage().contains("epoch " + epoch + " was fenced")
        && event.getFormattedMessage().contains("standing by"), WAIT);
  }

  private boolean eastEverWithdrawn() {
    return atA.events().stream().anyMatch(event -> event instanceof CatalogEvent.ClusterChanged changed
        && changed.cluster().clusterId().equals("east") && changed.cluster().health() == ClusterHealth.WITHDRAWN);
  }

  @Test
  void aFencedStandbyTakesOverWhenTheOwnerClosesAndRepublishesWhatItRemembers() throws Exception {
    try (CapturedLogs logged = CapturedLogs.of("io.meshfed.federation.catalog")) {
      ClusterPublisher a = await(replicaA.standbyPublisher(EAST));
      await(a.replaceAll(List.of(service(REVIEWS, 2))));
      long first = a.epoch();
      ClusterPublisher b = await(replicaB.standbyPublisher(EAST));
      await(b.replaceAll(List.of(service(REVIEWS, 2))));
      awaitStandingBy(logged, first);
      // While A stands by its source changes: only A knows ratings, so seeing it proves A republished.
      a.publish(service(RATINGS, 1));
      assertThat(await(a.replaceAll(List.of(service(REVIEWS, 3), service(RATINGS, 1)))))
          .as("a standby's flush completes once the set is remembered").isNull();

      await(b.close());

      atA.await("east republished by A", WAIT, s -> s.cluster("east") != null
          && s.cluster("east").record().epoch() > b.epoch() && s.cluster("east").health() == ClusterHealth.LIVE
          && s.service(RATINGS).clusters().containsKey("east")
          && s.service(REVIEWS).clusters().containsKey("east")
          && s.service(REVIEWS).clusters().get("east").healthyEndpoints() == 3);
      assertThat(a.epoch()).isGreaterThan(b.epoch());
      assertThat(atA.service(RATINGS).clusters().get("east").epoch()).isEqualTo(a.epoch());
      assertThat(atA.cluster("east").record().publisher()).isEqualTo("east-a");
      assertThat(eastEverWithdrawn()).isFalse();
      assertThat(a.fenced().isComplete()).as("a standby is never fenced for good").isFalse();
      assertThat(logged.events()).filteredOn(event -> event.getLevel() == Level.ERROR).isEmpty();
      logged.await(event -> event.getFormattedMessage().contains("took over at epoch " + a.epoch()), WAIT);
      await(a.close());
    }
  }

  @Test
  void aStandbyWhoseSourceIsUnreachableDoesNotTakeOver() throws Exception {
    try (CapturedLogs logged = CapturedLogs.of("io.meshfed.federation.catalog")) {
      ClusterPublisher a = await(replicaA.standbyPublisher(EAST));
      await(a.replaceAll(List.of(service(REVIEWS, 2))));
      ClusterPublisher b = await(replicaB.standbyPublisher(EAST));
      awaitStandingBy(logged, a.epoch());
      a.heartbeating(false);

      await(b.close());
      atA.await("east stale", WAIT, s -> s.cluster("east").health() == ClusterHealth.STALE);
      // Many checks later (one every 200 ms): A, which cannot see its own source, leaves east to its lease.
      Thread.sleep(3000);
      assertThat(atA.cluster("east").health()).isEqualTo(ClusterHealth.STALE);
      assertThat(atA.cluster("east").record().epoch()).isEqualTo(b.epoch());

      a.heartbeating(true);
      atA.await("east taken over once A's source is back", WAIT, s -> s.cluster("east").health() == ClusterHealth.LIVE
          && s.cluster("east").record().epoch() > b.epoch());
      await(a.close());
    }
  }

  @Test
  void aStandbyClosedWhileStandingByReturnsWithinTheLimitAndClaimsNothingAfterwards() throws Exception {
    try (CapturedLogs logged = CapturedLogs.of("io.meshfed.federation.catalog")) {
      ClusterPublisher a = await(replicaA.standbyPublisher(EAST));
      await(a.replaceAll(List.of(service(REVIEWS, 2))));
      ClusterPublisher b = await(replicaB.standbyPublisher(EAST));
      awaitStandingBy(logged, a.epoch());

      long start = System.nanoTime();
      await(a.close());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(fast.closeTimeout());
      await(b.close());

      atA.await("east stale", WAIT, s -> s.cluster("east").health() == ClusterHealth.STALE);
      Thread.sleep(3000);
      assertThat(atA.cluster("east").record().epoch()).as("nobody claimed east again").isEqualTo(b.epoch());
      assertThat(atA.cluster("east").health()).isEqualTo(ClusterHealth.STALE);
      assertThat(logged.events()).noneMatch(event -> event.getFormattedMessage().contains("taking over"));
      assertThat(Await.failure(a.replaceAll(List.of()), WAIT)).isInstanceOf(PublisherClosedException.class);
    }
  }

  @Test
  void twoStandbysThatBothSeeTheOwnerGoConvergeOnOnePublisher() throws Exception {
    ClusterPublisher a = await(replicaA.standbyPublisher(EAST));
    ClusterPublisher b = await(replicaB.standbyPublisher(EAST));
    await(b.replaceAll(List.of(service(REVIEWS, 2))));
    // A third replica owns east; A and B both stand by, and see its lease lapse within a check of each other.
    ClusterPublisher c = await(replicaB.standbyPublisher(EAST));
    await(c.replaceAll(List.of(service(REVIEWS, 2))));
    await(a.replaceAll(List.of(service(REVIEWS, 2))));

    await(c.close());

    atA.await("east taken over", WAIT, s -> s.cluster("east").health() == ClusterHealth.LIVE
        && s.cluster("east").record().epoch() > c.epoch());
    // Settled: one owner heartbeats, the other stands by, and the epoch stays put.
    Thread.sleep(2000);
    long owner = atA.cluster("east").record().epoch();
    Thread.sleep(2000);
    assertThat(atA.cluster("east").record().epoch()).isEqualTo(owner);
    assertThat(atA.cluster("east").health()).isEqualTo(ClusterHealth.LIVE);
    assertThat(List.of(a.epoch(), b.epoch())).contains(owner);
    assertThat(eastEverWithdrawn()).isFalse();
    await(a.close());
    await(b.close());
  }
}
