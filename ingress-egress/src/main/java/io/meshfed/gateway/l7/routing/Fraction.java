package io.meshfed.gateway.l7.routing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's {@code FractionalPercent}: {@code numerator} out of {@code denominator} (100, 10 000 or 1 000 000).
 *
 * @param numerator how many out of the denominator
 * @param denominator 100, 10_000 or 1_000_000
 */
public record Fraction(long numerator, long denominator) {

  /** Always. */
  public static final Fraction ALL = new Fraction(100, 100);
  /** Never. */
  public static final Fraction NONE = new Fraction(0, 100);

  /** Rolls the dice: true with this probability. */
  public boolean roll() {
    if (numerator <= 0) {
      return false;
    }
    if (numerator >= denominator) {
      return true;
    }
    return ThreadLocalRandom.current().nextLong(denominator) < numerator;
  }

  @Override
  public String toString() {
    return (numerator * 100.0 / denominator) + "%";
  }
}
