package io.meshfed.federation.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocks a test on a Vert.x future, or a Vert.x context on the test. */
public final class Await {

  private Await() {
  }

  /** The future's result, or its failure as the cause of an ExecutionException, within {@code timeout}. */
  public static <T> T result(Future<T> future, Duration timeout) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The future's failure within {@code timeout}, or null if it succeeded. */
  public static Throwable failure(Future<?> future, Duration timeout) throws Exception {
    try {
      result(future, timeout);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /**
   * Holds {@code context} until the returned latch is counted down: tasks queued on it meanwhile run afterwards, in
   * order, as behind a blocking call that has not returned.
   */
  public static CountDownLatch hold(Context context) {
    CountDownLatch release = new CountDownLatch(1);
    context.runOnContext(ignored -> waitFor(release));
    return release;
  }

  /** Waits for {@code latch}, keeping an interrupt for the caller. */
  public static void waitFor(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
