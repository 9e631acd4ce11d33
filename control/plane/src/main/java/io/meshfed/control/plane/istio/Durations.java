package io.meshfed.control.plane.istio;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way Istio's CRDs accept them: Go's {@code time.ParseDuration} syntax without a sign
 * ({@code 1.5s}, {@code 100ms}, {@code 1h30m}, {@code 250us}), which includes protobuf JSON's {@code 1.5s}.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private Durations() {
  }

  /** The duration, or empty if {@code text} is not one. */
  public static Optional<Duration> parse(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Matcher matcher = PART.matcher(text);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < text.length()) {
      if (!matcher.find(at) || matcher.start() != at) {
        return Optional.empty();
      }
      BigDecimal amount = new BigDecimal(matcher.group(1).endsWith(".") ? matcher.group(1) + "0" : matcher.group(1));
      nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
      at = matcher.end();
    }
    try {
      return Optional.of(Duration.ofNanos(nanos.longValueExact()));
    } catch (ArithmeticException tooLongOrFractional) {
      return Optional.of(Duration.ofNanos(nanos.longValue()));
    }
  }

  /** Prints like Istio's docs write durations: {@code 1.5s}, {@code 250ms}, {@code 2m}. */
  public static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos > 0) {
      return nanos / 3_600_000_000_000L + "h";
    }
    if (nanos % 60_000_000_000L == 0 && nanos > 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos % 1_000_000L == 0 && nanos < 1_000_000_000L) {
      return nanos / 1_000_000L + "ms";
    }
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
  }
}
