package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.CapturedLogs;
import io.meshfed.federation.testing.HoldingInterceptor;
import io.meshfed.federation.testing.StuckRemoval;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a publisher does when it is closed with work still out: it writes nothing afterwards, what the close cut off
 * fails as closed and is not logged as a problem, and the close does not wait long for a member that may be shutting
 * down.
 */
class PublisherCloseTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");

  private final Vertx vertx = Vertx.vertx();
  private final LoopbackMembers members = new LoopbackMembers(1);

  @AfterEach
  void stop() throws Exception {
    members.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, WAIT);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    return Await.failure(future, WAIT);
  }

  private static Future<ClusterPublisher> start(HazelcastInstance hazelcast, Context context,
      CatalogSettings settings) {
    return HazelcastPublisher.start(context, new CatalogMaps(hazelcast), settings,
        () -> hazelcast.getCluster().getClusterTime(), ClusterInfo.of("east"), "test");
  }

  @Test
  void aPublisherClosedWhileItsRepublishHeartbeatIsOutDoesNotWriteAfterwards() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    Context context = vertx.getOrCreateContext();
    ClusterPublisher publisher = await(start(hazelcast, context, CatalogSettings.DEFAULTS));
    CountDownLatch held = Await.hold(context);

    // Queued in this order behind the held context: the republish sends its heartbeat, then the close runs before
    // the heartbeat's answer comes back to the context.
    Future<Void> replaced = publisher.replaceAll(List.of());
    Future<Void> closed = publisher.close();
    held.countDown();

    await(closed);
    assertThat(failure(replaced)).as("the republish ends with the close, without its removeAll")
        .isInstanceOf(PublisherClosedException.class).hasMessageContaining("publisher is closed");
  }

  @Test
  void aReplaceAllCutOffByTheCloseFailsAsClosedEvenWhenTheMemberStopsUnderIt() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    ClusterPublisher publisher = await(start(hazelcast, vertx.getOrCreateContext(), CatalogSettings.DEFAULTS));
    // The republish heartbeat waits for the record's lock until the member goes away under it.
    hazelcast.getMap(CatalogMaps.CLUSTERS).lock("east");

    Future<Void> replaced = publisher.replaceAll(List.of());
    await(publisher.close());
    hazelcast.getLifecycleService().terminate();

    assertThat(failure(replaced)).as("cut off by our own close, which callers need not report")
        .isInstanceOf(PublisherClosedException.class);
  }

  @Test
  void aHeartbeatThatFailsAfterTheCloseIsNoWarning() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    ClusterPublisher publisher = await(start(hazelcast, vertx.getOrCreateContext(), CatalogSettings.DEFAULTS));
    hazelcast.getMap(CatalogMaps.CLUSTERS).lock("east");
    try (CapturedLogs logged = CapturedLogs.of(HazelcastPublisher.class.getName())) {
      // A changed self-description heartbeats at once; the heartbeat waits for the lock, and the close runs.
      publisher.updateInfo(ClusterInfo.of("east").withGateways(List.of(new GatewayAddress("10.0.0.1", 15443))));
      await(publisher.close());
      hazelcast.getLifecycleService().terminate();

      ILoggingEvent failed = logged.await(event -> event.getFormattedMessage().contains("heartbeat"), WAIT);
      assertThat(failed.getLevel()).as(failed.getFormattedMessage()).isEqualTo(Level.DEBUG);
      assertThat(logged.warnings()).isEmpty();
    }
  }

  @Test
  void aCloseWaitsForAStuckCleanupOfOlderEpochsOnlyUpToTheCloseTimeout() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    CatalogSettings settings = CatalogSettings.builder().closeTimeout(Duration.ofMillis(200)).build();
    ClusterPublisher first = await(start(hazelcast, vertx.getOrCreateContext(), settings));
    await(first.replaceAll(List.of(ExportedService.viaGateway(REVIEWS,
        List.of(new ServicePort("http", 9080, "TCP", "")), 1))));
    await(first.close());
    // The next epoch's cleanup removes the first epoch's entry, and that removal does not return: as a removeAll on
    // a member that is shutting down.
    StuckRemoval stuck = new StuckRemoval();
    hazelcast.getMap(CatalogMaps.SERVICES).addInterceptor(stuck);
    // The second publisher runs on a worker context of its own, as the catalog gives it, which its close undeploys.
    OwnerContext owner = await(OwnerContext.create(vertx));
    try (CapturedLogs logged = CapturedLogs.of(HazelcastPublisher.class.getName())) {
      ClusterPublisher second = await(HazelcastPublisher.start(owner.context(), new CatalogMaps(hazelcast), settings,
          () -> hazelcast.getCluster().getClusterTime(), ClusterInfo.of("east"), "test", owner::close,
          AfterFence.STOP));
      Future<Void> replaced = second.replaceAll(List.of());
      assertThat(stuck.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cleanup started").isTrue();

      long begin = System.nanoTime();
      await(second.close());

      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(3));
      assertThat(logged.warnings()).singleElement().satisfies(warning -> assertThat(warning.getFormattedMessage())
          .contains("cluster east", "200 ms", "removal of older epochs' entries")
          .doesNotContain("release of its context"));
      assertThat(vertx.deploymentIDs()).as("the context released while the removal is still stuck")
          .doesNotContain(owner.deploymentId());
      assertThat(failure(replaced)).isInstanceOf(PublisherClosedException.class);
    } finally {
      stuck.release();
    }
  }

  @Test
  void aCloseIsBoundedEvenWhileItsContextIsHeld() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    CatalogSettings settings = CatalogSettings.builder().closeTimeout(Duration.ofMillis(200)).build();
    Context context = vertx.getOrCreateContext();
    ClusterPublisher publisher = await(start(hazelcast, context, settings));
    // As a blocking Hazelcast call on a member that is shutting down would: the context runs nothing else.
    CountDownLatch held = Await.hold(context);
    try (CapturedLogs logged = CapturedLogs.of(HazelcastPublisher.class.getName())) {
      long begin = System.nanoTime();
      await(publisher.close());

      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(3));
      assertThat(logged.warnings()).singleElement().satisfies(warning -> assertThat(warning.getFormattedMessage())
          .contains("cluster east", "its context", "200 ms"));
      await(publisher.close());
      assertThat(logged.warnings()).as("a second close shares the first one's outcome").hasSize(1);
    } finally {
      held.countDown();
    }
  }

  @Test
  void aFencedPublisherLogsItsErrorWithoutWaitingToReadTheNewOwner() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    ClusterPublisher older = await(start(hazelcast, vertx.getOrCreateContext(), CatalogSettings.DEFAULTS));
    ClusterPublisher newer = await(start(hazelcast, vertx.getOrCreateContext(), CatalogSettings.DEFAULTS));
    // The read of who owns the cluster now does not return, as on a member that is going away.
    HeldGet held = new HeldGet();
    hazelcast.getMap(CatalogMaps.CLUSTERS).addInterceptor(held);
    try (CapturedLogs logged = CapturedLogs.of(HazelcastPublisher.class.getName())) {
      // A changed self-description heartbeats at once, and the record is the newer epoch's.
      older.updateInfo(ClusterInfo.of("east").withGateways(List.of(new GatewayAddress("10.0.0.1", 15443))));

      await(older.fenced());
      assertThat(held.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the new owner's read is out").isTrue();
      // Logged before the read was sent, not once it returns.
      assertThat(logged.events()).filteredOn(event -> event.getLevel() == Level.ERROR).singleElement()
          .satisfies(error -> assertThat(error.getFormattedMessage()).contains("cluster east",
              "epoch " + older.epoch(), "fenced", "this publisher stopped"));

      held.release();
      ILoggingEvent owner = logged.await(event -> event.getFormattedMessage().contains("now published by"), WAIT);
      assertThat(owner.getLevel()).isEqualTo(Level.INFO);
      assertThat(owner.getFormattedMessage()).contains("test (epoch " + newer.epoch() + ")");
    } finally {
      held.release();
      await(older.close());
      await(newer.close());
    }
  }

  /** Holds the first plain read ({@code get}, {@code getAsync}) on its partition thread until released. */
  private static final class HeldGet extends HoldingInterceptor {

    private static final long serialVersionUID = 1L;

    @Override
    public Object interceptGet(Object value) {
      // Before the answer is sent (afterGet runs once it is), and only a plain read's: an entry processor, such as a
      // heartbeat, goes through here too.
      boolean read = StackWalker.getInstance().walk(frames -> frames.anyMatch(frame ->
          frame.getClassName().endsWith(".GetOperation")));
      if (read && entered().getCount() > 0) {
        hold();
      }
      return null;
    }
  }

}
