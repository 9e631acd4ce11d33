package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.meshfed.federation.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a close bound passes on, and when it warns. */
class CloseLimitTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Throwable failure(Future<?> future) {
    ExecutionException thrown = (ExecutionException) catchThrowable(
        () -> Await.result(future, WAIT));
    assertThat(thrown).as("expected a failure").isNotNull();
    return thrown.getCause();
  }

  @Test
  void aPendingCloseFailingWithItsOwnTimeoutIsPassedOnWithoutTheWarning() {
    AtomicInteger warnings = new AtomicInteger();
    TimeoutException own = new TimeoutException("the member's own timeout");

    Throwable failed = failure(CloseLimit.within(Future.failedFuture(own), Duration.ofSeconds(5),
        warnings::incrementAndGet));

    assertThat(failed).isSameAs(own);
    assertThat(CloseLimit.exceeded(failed)).isFalse();
    assertThat(warnings).hasValue(0);
  }

  @Test
  void aPendingCloseFailingWithItsOwnTimeoutLaterIsPassedOnWithoutTheWarning() {
    AtomicInteger warnings = new AtomicInteger();
    TimeoutException own = new TimeoutException("the member's own timeout");
    Promise<Void> pending = Promise.promise();

    Future<Void> bounded = CloseLimit.within(pending.future(), Duration.ofSeconds(5), warnings::incrementAndGet);
    pending.fail(own);

    assertThat(failure(bounded)).isSameAs(own);
    assertThat(warnings).hasValue(0);
  }

  @Test
  void aCloseThatNeverCompletesWarnsOnceAndFailsWithTheLimitsOwnTimeout() {
    AtomicInteger warnings = new AtomicInteger();

    Throwable failed = failure(CloseLimit.within(Promise.<Void>promise().future(), Duration.ofMillis(50),
        warnings::incrementAndGet));

    assertThat(failed).isInstanceOf(TimeoutException.class).hasMessageContaining("50 ms");
    assertThat(CloseLimit.exceeded(failed)).isTrue();
    assertThat(warnings).hasValue(1);
  }

  @Test
  void aCloseWithinTheLimitKeepsItsOutcome() throws Exception {
    AtomicInteger warnings = new AtomicInteger();

    assertThat(Await.result(CloseLimit.within(Future.succeededFuture("done"), Duration.ofMillis(50),
        warnings::incrementAndGet), WAIT)).isEqualTo("done");
    IllegalStateException other = new IllegalStateException("failed");
    assertThat(failure(CloseLimit.within(Future.failedFuture(other), Duration.ofMillis(50),
        warnings::incrementAndGet))).isSameAs(other);
    assertThat(warnings).hasValue(0);
  }

  @Test
  void aLimitMustBePositive() {
    assertThatThrownBy(() -> CloseLimit.within(Future.succeededFuture(), Duration.ZERO, () -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("limit: PT0S (expected: > 0)");
    assertThatThrownBy(() -> CloseLimit.within(Future.succeededFuture(), null, () -> { }))
        .isInstanceOf(NullPointerException.class).hasMessage("limit");
  }
}
