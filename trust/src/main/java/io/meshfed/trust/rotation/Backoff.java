package io.meshfed.trust.rotation;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: attempt {@code n} (from 0) waits {@code initial * 2^n}, at most
 * {@code max}, then spread by ±{@code jitter} so many clients retrying against one Vault do not march in step.
 */
public record Backoff(Duration initial, Duration max, double jitter) {

  /** One second doubling to one minute, ±20 %. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 0.2);

  public Backoff {
    if (initial == null || initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial: " + initial + " (expected: a positive duration)");
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff max: " + max + " (expected: at least initial " + initial + ")");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("backoff jitter: " + jitter + " (expected: 0 <= jitter < 1)");
    }
  }

  /** The wait before retry number {@code attempt} (0 for the first retry). */
  public Duration delay(int attempt) {
    long initialMillis = initial.toMillis();
    long capped = max.toMillis();
    long base = attempt >= 62 ? capped : Math.min(capped, initialMillis << Math.min(attempt, 30));
    double spread = jitter == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
    return Duration.ofMillis(Math.max(1, Math.min(capped, Math.round(base * (1 + spread)))));
  }
}
