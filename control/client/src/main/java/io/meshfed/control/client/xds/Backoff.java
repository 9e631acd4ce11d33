package io.meshfed.control.client.xds;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: exponential growth from {@code initial} to {@code max} with "equal jitter" (half the delay
 * fixed, half random), so a control-plane restart does not get every gateway back in the same millisecond
 * (the gRPC connection-backoff recipe uses the same idea).
 *
 * @param initial the first delay
 * @param max the largest delay
 */
public record Backoff(Duration initial, Duration max) {

    /** 1 s growing to 30 s, like Envoy's default ADS retry. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
        }
    }

    /**
     * The delay before reconnect attempt {@code attempt} (0 for the first).
     *
     * @param random uniform in [0, 1)
     */
    Duration delay(int attempt, DoubleSupplier random) {
        double base = initial.toMillis() * Math.pow(2, Math.min(attempt, 30));
        double capped = Math.min(base, max.toMillis());
        long millis = (long) (capped / 2 + random.getAsDouble() * capped / 2);
        return Duration.ofMillis(Math.max(1, millis));
    }
}
