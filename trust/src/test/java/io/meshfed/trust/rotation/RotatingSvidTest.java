package io.meshfed.trust.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TestPki;
import io.meshfed.trust.ca.CaException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RotatingSvidTest {

  private static final TestPki PKI = new TestPki("cluster.local");
  private static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://cluster.local/ns/meshfed/sa/eastwest-gateway");
  private static final RotationPolicy FAST = RotationPolicy.DEFAULT.withRetry(
      new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.2));

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicBoolean caDown = new AtomicBoolean();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile Duration ttl = Duration.ofSeconds(2);

  private final SvidSource source = () -> {
    fetches.incrementAndGet();
    if (caDown.get()) {
      return Future.failedFuture(new CaException(CaException.Reason.UNAVAILABLE, "vault: connection refused"));
    }
    return vertx.executeBlocking(() -> PKI.svid(GATEWAY, ttl), false);
  };

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void renewsAtHalfLifeAndTellsListeners() throws Exception {
    RotatingSvid holder = RotatingSvid.create(vertx, source, FAST, registry);
    Svid first = await(holder.start());
    // X.509 times have whole seconds, so the life actually left is measured, not assumed.
    Duration life = Duration.between(Instant.now(), first.notAfter());
    List<Svid> rotated = new CopyOnWriteArrayList<>();
    holder.onRotation(rotated::add);

    waitFor(() -> !rotated.isEmpty(), Duration.ofSeconds(5));
    Duration leftWhenRotated = Duration.between(Instant.now(), first.notAfter());
    // Renewed at half life, jittered up to 5 % earlier: about half the life is left, well before the warning point.
    assertThat(leftWhenRotated).isBetween(life.multipliedBy(45).dividedBy(100).minusMillis(150),
        life.multipliedBy(55).dividedBy(100).plusMillis(150));
    assertThat(rotated.get(0).serial()).isNotEqualTo(first.serial());
    assertThat(holder.current()).isSameAs(rotated.get(0));
    assertThat(registry.get("meshfed_svid_rotations").tag("result", "ok").counter().count()).isGreaterThanOrEqualTo(1);
    assertThat(registry.get("meshfed_svid_expiry_seconds").gauge().value()).isBetween(0.0, 2.0);
    await(holder.close());
  }

  @Test
  void caDownKeepsServingTheCachedSvidRetriesWithBackoffAndWarnsBeforeExpiry() throws Exception {
    ttl = Duration.ofSeconds(5); // a wide window between the warning (75 %) and expiry, even on a loaded machine
    RotatingSvid holder = RotatingSvid.create(vertx, source, FAST, registry);
    Svid first = await(holder.start());
    caDown.set(true);

    // Past the warning point (75 %), still before expiry: cached SVID served, warning raised.
    waitFor(holder::isExpiring, Duration.ofSeconds(5));
    assertThat(Instant.now()).isBefore(first.notAfter());
    assertThat(holder.current()).isSameAs(first);
    assertThat(registry.get("meshfed_svid_expiring").gauge().value()).isEqualTo(1);
    int failedSoFar = fetches.get() - 1;
    // Half life to 75 % is over a second: several retries at 50-200 ms, and never a tight loop.
    assertThat(failedSoFar).as("retries between half life and 75 %%").isBetween(2, 40);
    // Retries go on while the test reads: every failed fetch is counted, one of them may still be in flight.
    double counted = registry.get("meshfed_svid_rotations").tag("result", "failed").counter().count();
    int failedByNow = fetches.get() - 1;
    assertThat(counted).isBetween(failedSoFar - 1.0, (double) failedByNow);

    // CA back: the next retry succeeds and the warning clears.
    caDown.set(false);
    waitFor(() -> holder.current() != first, Duration.ofSeconds(5));
    assertThat(holder.isExpiring()).isFalse();
    assertThat(registry.get("meshfed_svid_expiring").gauge().value()).isZero();
    await(holder.close());
  }

  @Test
  void neverServesAnExpiredSvidSilently() throws Exception {
    RotatingSvid holder = RotatingSvid.create(vertx, source, FAST, registry);
    Svid first = await(holder.start());
    caDown.set(true);
    waitFor(() -> Instant.now().isAfter(first.notAfter()), Duration.ofSeconds(5));
    assertThatThrownBy(holder::current)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(GATEWAY + ": SVID expired at " + first.notAfter())
        .hasMessageContaining("vault: connection refused");
    waitFor(() -> registry.get("meshfed_svid_expired").gauge().value() == 1, Duration.ofSeconds(2));

    caDown.set(false);
    waitFor(() -> {
      try {
        return holder.current() != first;
      } catch (IllegalStateException stillExpired) {
        return false;
      }
    }, Duration.ofSeconds(5));
    assertThat(registry.get("meshfed_svid_expired").gauge().value()).isZero();
    await(holder.close());
  }

  @Test
  void firstFetchFailureFailsStart() {
    caDown.set(true);
    RotatingSvid holder = RotatingSvid.create(vertx, source, FAST, registry);
    assertThatThrownBy(() -> await(holder.start())).hasRootCauseMessage("vault: connection refused");
    assertThatThrownBy(holder::current).hasMessageContaining("no SVID yet");
  }

  @Test
  void rotateNowRenewsOnDemand() throws Exception {
    ttl = Duration.ofHours(1);
    RotatingSvid holder = RotatingSvid.create(vertx, source, RotationPolicy.DEFAULT, registry);
    Svid first = await(holder.start());
    Svid second = await(holder.rotateNow());
    assertThat(second.serial()).isNotEqualTo(first.serial());
    assertThat(holder.current()).isSameAs(second);
  }

  @Test
  void policyAndBackoffValidateTheirArguments() {
    assertThatThrownBy(() -> new RotationPolicy(1.2, 0, 0.9, Backoff.DEFAULT)).hasMessageStartingWith("renewAt: 1.2");
    assertThatThrownBy(() -> new RotationPolicy(0.5, 0.05, 0.4, Backoff.DEFAULT)).hasMessageStartingWith("warnAt");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
        .hasMessage("backoff max: PT1S (expected: at least initial PT2S)");
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
    assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(50)).isEqualTo(Duration.ofSeconds(1));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(10);
    }
  }
}
