package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.meshfed.federation.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A publisher closed while its republish heartbeat is out writes nothing when the heartbeat returns: the member may
 * be shutting down by then, and Hazelcast's removeAll on a member shutting down never returns.
 */
class PublisherCloseTest {

  private final Vertx vertx = Vertx.vertx();
  private final LoopbackMembers members = new LoopbackMembers(1);

  @AfterEach
  void stop() throws Exception {
    members.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, Duration.ofSeconds(10));
  }

  @Test
  void aPublisherClosedWhileItsRepublishHeartbeatIsOutDoesNotWriteAfterwards() throws Exception {
    HazelcastInstance hazelcast = members.start(0);
    Context context = vertx.getOrCreateContext();
    ClusterPublisher publisher = await(HazelcastPublisher.start(context, new CatalogMaps(hazelcast),
        CatalogSettings.DEFAULTS, () -> hazelcast.getCluster().getClusterTime(), ClusterInfo.of("east"), "test"));
    CountDownLatch held = new CountDownLatch(1);
    context.runOnContext(ignored -> {
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    // Queued in this order behind the held context: the republish sends its heartbeat, then the close runs before
    // the heartbeat's answer comes back to the context.
    Future<Void> replaced = publisher.replaceAll(List.of());
    Future<Void> closed = publisher.close();
    held.countDown();

    await(closed);
    Throwable failure = null;
    try {
      await(replaced);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure).as("the republish ends with the close, without its removeAll")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("publisher is closed");
  }
}
