package io.meshfed.gateway.l7.config;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshfed.gateway.l7.routing.Fraction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/** Small, shared steps of compiling Envoy protos: allow-lists, durations, fractions, data sources, Any. */
final class Protos {

  /** The path Istio uses for the system trust roots; mapped to the JDK's default roots. */
  static final String SYSTEM_ROOTS_FILE = "/etc/ssl/certs/ca-certificates.crt";

  private Protos() {
  }

  /**
   * Reports every set field of {@code message} not in {@code allowed}, and any field unknown to these protos. This is
   * how "anything outside the profile is NACKed" is enforced generically.
   */
  static void allowOnly(Message message, String path, Problems problems, Set<String> allowed) {
    for (FieldDescriptor field : message.getAllFields().keySet()) {
      if (!allowed.contains(field.getName())) {
        problems.unsupported(join(path, field.getName()), "field " + field.getName());
      }
    }
    if (!message.getUnknownFields().asMap().isEmpty()) {
      problems.error(path.isEmpty() ? message.getDescriptorForType().getName() : path,
          "unknown field numbers " + message.getUnknownFields().asMap().keySet()
              + " (expected: fields of " + message.getDescriptorForType().getFullName() + ")");
    }
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** A proto duration, or null when unset. */
  static Duration duration(boolean present, com.google.protobuf.Duration duration) {
    return present ? Duration.ofSeconds(duration.getSeconds(), duration.getNanos()) : null;
  }

  /** A duration where zero means "disabled" (null), unset means {@code fallback}. */
  static Duration durationZeroDisables(boolean present, com.google.protobuf.Duration duration, Duration fallback) {
    if (!present) {
      return fallback;
    }
    Duration value = Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    return value.isZero() ? null : value;
  }

  /** True when a set duration is negative (reported by callers). */
  static boolean negative(com.google.protobuf.Duration duration) {
    return duration.getSeconds() < 0 || duration.getNanos() < 0;
  }

  static Fraction fraction(FractionalPercent percent) {
    long denominator = switch (percent.getDenominator()) {
      case HUNDRED -> 100;
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
    return new Fraction(percent.getNumerator(), denominator);
  }

  /** Inline bytes or string of a data source; null (with an error) for files or environment variables. */
  static byte[] inline(DataSource source, String path, Problems problems) {
    return switch (source.getSpecifierCase()) {
      case INLINE_BYTES -> source.getInlineBytes().toByteArray();
      case INLINE_STRING -> source.getInlineString().getBytes(StandardCharsets.UTF_8);
      case SPECIFIER_NOT_SET -> new byte[0];
      default -> {
        problems.unsupported(path, "data source " + source.getSpecifierCase().name().toLowerCase()
            + " (expected: inline_bytes or inline_string)");
        yield null;
      }
    };
  }

  /** The message type name of an Any's type URL ({@code envoy.extensions.filters.http.router.v3.Router}). */
  static String typeName(Any any) {
    String url = any.getTypeUrl();
    return url.substring(url.lastIndexOf('/') + 1);
  }

  /** Unpacks {@code any} or reports why not. */
  static <T extends Message> T unpack(Any any, Class<T> type, String path, Problems problems) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      problems.error(path, "cannot decode " + typeName(any) + ": " + e.getMessage());
      return null;
    }
  }
}
