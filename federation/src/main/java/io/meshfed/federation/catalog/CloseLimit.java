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
   * fails with a {@link TimeoutException} that {@link #exceeded} recognises. A failure of {@code pending}'s own, even a
   * {@code TimeoutException}, is passed on as it is, without the warning. What follows a timeout runs on the timer's
   * thread, not on any context, so it should only hop onto one.
   */
  public static <T> Future<T> within(Future<T> pending, Duration limit, Runnable warning) {
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(warning, "warning");
    if (limit.isZero() || limit.isNegative()) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    // A promise of no context: pending's own may be the blocked one, and a timeout bound to it would wait there too.
    Promise<T> outcome = Promise.promise();
    pending.onComplete(outcome);
    return outcome.future().timeout(limit.toMillis(), TimeUnit.MILLISECONDS).recover(failure -> {
      // Pending's own failure comes through as the very same object; anything else is the timer's.
      if (pending.failed() && pending.cause() == failure) {
        return Future.failedFuture(failure);
      }
      warning.run();
      return Future.failedFuture(new Exceeded(limit));
    });
  }

  /** True when {@code failure} is the timeout of a {@link #within} (not one the waited-for future failed with). */
  public static boolean exceeded(Throwable failure) {
    return failure instanceof Exceeded;
  }

  /** This class's own timeout, told apart from any other {@link TimeoutException} by its type. */
  private static final class Exceeded extends TimeoutException {

    private static final long serialVersionUID = 1L;

    Exceeded(Duration limit) {
      super("not completed within the close timeout of " + limit.toMillis() + " ms");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      // Where the timer thread was says nothing; the warning names what was waited for.
      return this;
    }
  }
}
