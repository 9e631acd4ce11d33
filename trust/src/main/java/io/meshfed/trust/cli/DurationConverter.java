package io.meshfed.trust.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads durations the way Vault and Kubernetes users write them: {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern FORMAT = Pattern.compile("(\\d+)([smhd])");

  @Override
  public Duration convert(String value) {
    Matcher matcher = FORMAT.matcher(value == null ? "" : value.trim());
    if (!matcher.matches()) {
      throw new CommandLine.TypeConversionException("'" + value + "' (expected: a number and a unit s, m, h or d,"
          + " such as 24h)");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration = switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    if (duration.isZero()) {
      throw new CommandLine.TypeConversionException("'" + value + "' (expected: more than zero)");
    }
    return duration;
  }
}
