package io.meshfed.control.plane.xds;

import io.vertx.core.Vertx;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Coalesces snapshot changes into pushes, as Istio's debounce (pilot/pkg/xds "debounce"): the batch is released
 * once no change arrived for the quiet period, or when the first change of the batch has waited the maximum delay.
 * Owned by the server's context: every method runs there.
 */
final class PushDebouncer {

    /** A released batch: the groups that changed and when the first change of the batch arrived. */
    record Batch(Set<String> groups, long firstChangeNanos, long releasedNanos) {
    }

    private final Vertx vertx;
    private final long quietNanos;
    private final long maxNanos;
    private final Consumer<Batch> release;
    private Set<String> pending = new LinkedHashSet<>();
    private long firstChangeNanos;
    private long lastChangeNanos;
    private long timerId = -1;

    PushDebouncer(Vertx vertx, DebounceOptions options, Consumer<Batch> release) {
        this.vertx = vertx;
        this.quietNanos = options.quietPeriod().toNanos();
        this.maxNanos = options.maxDelay().toNanos();
        this.release = release;
    }

    void changed(String group) {
        long now = System.nanoTime();
        if (pending.isEmpty()) {
            firstChangeNanos = now;
        }
        pending.add(group);
        lastChangeNanos = now;
        if (quietNanos == 0) {
            fire();
            return;
        }
        if (timerId < 0) {
            schedule(quietNanos);
        }
    }

    // One timer at a time: when it fires it either releases the batch or re-arms for the rest of the quiet
    // period, which costs one timer per quiet period instead of one cancel+set per change.
    private void schedule(long delayNanos) {
        timerId = vertx.setTimer(Math.max(1, delayNanos / 1_000_000), id -> onTimer());
    }

    private void onTimer() {
        timerId = -1;
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long quietLeft = lastChangeNanos + quietNanos - now;
        long maxLeft = firstChangeNanos + maxNanos - now;
        if (quietLeft <= 0 || maxLeft <= 0) {
            fire();
        } else {
            schedule(Math.min(quietLeft, maxLeft));
        }
    }

    private void fire() {
        Set<String> groups = pending;
        pending = new LinkedHashSet<>();
        release.accept(new Batch(groups, firstChangeNanos, System.nanoTime()));
    }

    void cancel() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        pending.clear();
    }
}
