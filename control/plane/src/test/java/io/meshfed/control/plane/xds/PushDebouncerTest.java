package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushDebouncerTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final List<PushDebouncer.Batch> released = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        RawAdsStream.await(vertx.close());
    }

    private PushDebouncer debouncer(long quietMs, long maxMs) {
        return new PushDebouncer(vertx, new DebounceOptions(Duration.ofMillis(quietMs), Duration.ofMillis(maxMs)),
                released::add);
    }

    private void awaitReleases(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (released.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(released).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void burstOfChangesIsReleasedOnceWithEveryGroup() throws InterruptedException {
        PushDebouncer d = debouncer(50, 5_000);
        context.runOnContext(v -> {
            for (int i = 0; i < 100; i++) {
                d.changed("g" + (i % 3));
            }
        });

        awaitReleases(1);
        Thread.sleep(150);
        assertThat(released).singleElement().satisfies(b -> {
            assertThat(b.groups()).containsExactly("g0", "g1", "g2");
            assertThat(Duration.ofNanos(b.releasedNanos() - b.firstChangeNanos()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(49));
        });
    }

    @Test
    void changesThatNeverPauseAreStillReleasedAtTheMaximumDelay() throws InterruptedException {
        PushDebouncer d = debouncer(100, 300);
        // A change every 20 ms, for a second: the quiet period never elapses.
        // Set from the owner context so the timer fires there too (the debouncer has one owner).
        java.util.concurrent.atomic.AtomicLong periodic = new java.util.concurrent.atomic.AtomicLong();
        context.runOnContext(v -> {
            d.changed("busy");
            periodic.set(vertx.setPeriodic(20, id -> d.changed("busy")));
        });

        awaitReleases(2);
        vertx.cancelTimer(periodic.get());
        Duration firstWait = Duration.ofNanos(released.get(0).releasedNanos() - released.get(0).firstChangeNanos());
        assertThat(firstWait).isGreaterThanOrEqualTo(Duration.ofMillis(299)).isLessThan(Duration.ofMillis(2_000));
    }

    @Test
    void zeroQuietPeriodReleasesEveryChangeAtOnce() {
        PushDebouncer d = debouncer(0, 0);
        context.runOnContext(v -> {
            d.changed("a");
            d.changed("b");
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (released.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(released).extracting(PushDebouncer.Batch::groups).containsExactly(
                java.util.Set.of("a"), java.util.Set.of("b"));
    }
}
