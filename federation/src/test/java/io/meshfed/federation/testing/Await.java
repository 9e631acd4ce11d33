package io.meshfed.federation.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Blocks a test on a Vert.x future. */
public final class Await {

  private Await() {
  }

  /** The future's result, or its failure as the cause of an ExecutionException, within {@code timeout}. */
  public static <T> T result(Future<T> future, Duration timeout) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
