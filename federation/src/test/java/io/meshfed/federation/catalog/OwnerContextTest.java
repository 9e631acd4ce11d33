package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.federation.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OwnerContextTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSecondCloseReturnsTheFirstOnesUndeployment() throws Exception {
    OwnerContext owner = Await.result(OwnerContext.create(vertx), WAIT);

    // As a publisher's own close and the catalog's close of the same context: the second must not complete before
    // the first undeployment has (undeploying again fails at once with "Unknown deployment").
    Future<Void> first = owner.close();
    Future<Void> second = owner.close();

    assertThat(second).isSameAs(first);
    Await.result(second, WAIT);
    assertThat(vertx.deploymentIDs()).doesNotContain(owner.deploymentId());
  }
}
