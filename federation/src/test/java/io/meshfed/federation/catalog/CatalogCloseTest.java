package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.federation.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A closed catalog hands out no publisher. */
class CatalogCloseTest {

  private final Vertx vertx = Vertx.vertx();
  private final LoopbackMembers members = new LoopbackMembers(1);

  @AfterEach
  void stop() throws Exception {
    members.close();
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, Duration.ofSeconds(10));
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
}
