package io.meshfed.control.plane.xds;

import java.time.Duration;
import java.util.Objects;

/**
 * Push debounce, as Istio's {@code PILOT_DEBOUNCE_AFTER} / {@code PILOT_DEBOUNCE_MAX}: a push starts once no change
 * arrived for {@code quietPeriod}, or at the latest {@code maxDelay} after the first change of the batch.
 *
 * @param quietPeriod the quiet period after the last change (Istio: 100 ms)
 * @param maxDelay the longest a change waits (Istio: 10 s)
 */
public record DebounceOptions(Duration quietPeriod, Duration maxDelay) {

    /** Istio's defaults: 100 ms quiet period, 10 s at most. */
    public static final DebounceOptions ISTIO_DEFAULTS = new DebounceOptions(Duration.ofMillis(100),
            Duration.ofSeconds(10));

    public DebounceOptions {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("quietPeriod: " + quietPeriod + " (expected: >= 0)");
        }
        if (maxDelay.compareTo(quietPeriod) < 0) {
            throw new IllegalArgumentException("maxDelay: " + maxDelay + " (expected: >= quietPeriod "
                    + quietPeriod + ")");
        }
    }
}
