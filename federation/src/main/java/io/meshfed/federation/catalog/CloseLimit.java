package io.meshfed.federation.catalog;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds what a close waits for ({@link CatalogSettings#closeTimeout()}): a Hazelcast call on a member that is shutting
 * down may never return, and a worker context blocked in one runs none of its own timers, so the limit is kept by a
 * timer of no context. Past it the close goes on, and says so once.
 */
public final class CloseLimit {

  private CloseLimit() {
  }

  /**
   * {@code pending}'s outcome if it comes within {@code limit}; otherwise {@code warning} runs, once, and the result
   * fails with a {@link TimeoutException}. What follows a timeout runs on the timer's thread, not on any context, so it
   * should only hop onto one.
   */
  public static <T> Future<T> within(Future<T> pending, Duration limit, Runnable warning) {
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(warning, "warning");
    if (limit.isZero() || limit.isNegative()) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    // A promise of no context: pending's own may be the blocked one, and a timeout bound to it would wait there too.
    Promise<T> outcome = Promise.promise();
    pending.onComplete(outcome);
    return outcome.future().timeout(limit.toMillis(), TimeUnit.MILLISECONDS).onFailure(failure -> {
      if (failure instanceof TimeoutException) {
        warning.run();
      }
    });
  }
}
