package io.meshfed.control.plane.istio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the fields of one mapping node, checking each value's type and range and reporting problems with the
 * field's full path and position. Every field a reader asks about becomes "known"; {@link #finish()} reports the
 * fields nobody asked about as unknown (with a did-you-mean), so no field is ever dropped silently.
 */
final class FieldReader {

  private final ObjectValue object;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new HashSet<>();

  FieldReader(ObjectValue object, String path, Problems problems) {
    this.object = object;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  Optional<Position> position() {
    return object.position();
  }

  Problems problems() {
    return problems;
  }

  /** Whether the field is present with a non-null value. Marks it known. */
  boolean has(String field) {
    return value(field).isPresent();
  }

  Optional<String> string(String field) {
    return value(field).flatMap(value -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof String text) {
        return Optional.of(text);
      }
      typeError(field, value, "a string");
      return Optional.empty();
    });
  }

  String requiredString(String field) {
    Optional<String> text = string(field);
    if (text.isEmpty() && !has(field)) {
      missing(field, "a string");
    } else if (text.isPresent() && text.get().isEmpty()) {
      invalid(field, object.fields().get(field), "a non-empty string", "set " + field);
      return "";
    }
    return text.orElse("");
  }

  Optional<Long> integer(String field, long min, long max) {
    return value(field).flatMap(value -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof Long number) {
        if (number < min || number > max) {
          invalid(field, value, range(min, max), "set " + field + " within " + range(min, max));
          return Optional.empty();
        }
        return Optional.of(number);
      }
      typeError(field, value, "an integer");
      return Optional.empty();
    });
  }

  Optional<Integer> port(String field) {
    return integer(field, 1, 65535).map(Long::intValue);
  }

  Optional<Double> number(String field, double min, double max) {
    return value(field).flatMap(value -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof Number number) {
        double d = number.doubleValue();
        if (d < min || d > max) {
          invalid(field, value, range(min, max), "set " + field + " within " + range(min, max));
          return Optional.empty();
        }
        return Optional.of(d);
      }
      typeError(field, value, "a number");
      return Optional.empty();
    });
  }

  Optional<Boolean> bool(String field) {
    return value(field).flatMap(value -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof Boolean b) {
        return Optional.of(b);
      }
      typeError(field, value, "true or false");
      return Optional.empty();
    });
  }

  /** A duration such as {@code 1.5s}, {@code 100ms}, {@code 1m}; at least {@code min}. */
  Optional<Duration> duration(String field, Duration min) {
    return value(field).flatMap(value -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof String text) {
        Optional<Duration> duration = Durations.parse(text);
        if (duration.isEmpty()) {
          invalid(field, value, "a duration such as 1.5s, 100ms or 1m",
              "write " + field + " with a unit, e.g. \"" + text + "s\" if you meant seconds");
        } else if (duration.get().compareTo(min) < 0) {
          invalid(field, value, "at least " + Durations.format(min), "raise " + field);
          return Optional.empty();
        }
        return duration;
      }
      if (value instanceof ScalarValue scalar && scalar.value() instanceof Number number) {
        invalid(field, value, "a duration such as 1.5s, 100ms or 1m",
            "add a unit: \"" + number + "s\" if you meant seconds");
        return Optional.empty();
      }
      typeError(field, value, "a duration such as 1.5s");
      return Optional.empty();
    });
  }

  Optional<Duration> duration(String field) {
    return duration(field, Duration.ofMillis(1));
  }

  /** An enum value, written exactly as Istio's API spells it (enums are case-sensitive). */
  <E extends Enum<E>> Optional<E> enumValue(String field, Class<E> type) {
    return string(field).flatMap(text -> {
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equals(text)) {
          return Optional.of(constant);
        }
      }
      String expected = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
      String fix = Arrays.stream(type.getEnumConstants()).map(Enum::name)
          .filter(name -> name.equalsIgnoreCase(text)).findFirst()
          .map(name -> "write " + name + " (enum values are case-sensitive)")
          .orElse("use one of " + expected);
      invalid(field, object.fields().get(field), "one of " + expected, fix);
      return Optional.empty();
    });
  }

  List<String> stringList(String field) {
    List<String> strings = new ArrayList<>();
    list(field).ifPresent(list -> {
      for (int i = 0; i < list.items().size(); i++) {
        Value item = list.items().get(i);
        if (item instanceof ScalarValue scalar && scalar.value() instanceof String text) {
          strings.add(text);
        } else {
          typeError(field + "[" + i + "]", item, "a string");
        }
      }
    });
    return List.copyOf(strings);
  }

  Map<String, String> stringMap(String field) {
    Map<String, String> map = new LinkedHashMap<>();
    objectValue(field).ifPresent(nested -> nested.fields().forEach((key, value) -> {
      if (value instanceof ScalarValue scalar && scalar.value() instanceof String text) {
        map.put(key, text);
      } else {
        typeError(field + "." + key, value, "a string (quote numbers and booleans: \"" + value.describe() + "\")");
      }
    }));
    return map;
  }

  /** A nested message, read by {@code reader}, which must call {@link #finish()} on the reader it is given. */
  <T> Optional<T> object(String field, Function<FieldReader, T> reader) {
    return objectValue(field).map(nested -> read(nested, path(field), reader));
  }

  <T> List<T> list(String field, Function<FieldReader, T> reader) {
    List<T> items = new ArrayList<>();
    list(field).ifPresent(list -> {
      for (int i = 0; i < list.items().size(); i++) {
        Value item = list.items().get(i);
        String itemPath = path(field) + "[" + i + "]";
        if (item instanceof ObjectValue nested) {
          T read = read(nested, itemPath, reader);
          if (read != null) {
            items.add(read);
          }
        } else {
          problems.add(MessageType.INVALID_VALUE, itemPath, item.position(),
              item.describe() + " (expected: an object)", "write " + field + " entries as mappings");
        }
      }
    });
    return List.copyOf(items);
  }

  /** A map from names to nested messages, e.g. {@code headers: {end-user: {exact: jason}}}. */
  <T> Map<String, T> map(String field, Function<FieldReader, T> reader) {
    Map<String, T> map = new LinkedHashMap<>();
    objectValue(field).ifPresent(nested -> nested.fields().forEach((key, value) -> {
      String entryPath = path(field) + "." + key;
      if (value instanceof ObjectValue entry) {
        T read = read(entry, entryPath, reader);
        if (read != null) {
          map.put(key, read);
        }
      } else if (value instanceof ScalarValue scalar && scalar.value() == null) {
        problems.add(MessageType.INVALID_VALUE, entryPath, value.position(), "null (expected: an object)",
            "give " + key + " a value or remove it");
      } else {
        problems.add(MessageType.INVALID_VALUE, entryPath, value.position(),
            value.describe() + " (expected: an object)", "write " + key + " as a mapping");
      }
    }));
    return map;
  }

  /**
   * A field of the Istio API that meshfed does not implement. With {@link MessageType#UNSUPPORTED_FIELD} the object
   * is rejected (ignoring it would change where traffic goes or who may send it); with
   * {@link MessageType#IGNORED_FIELD} the object is used without it.
   */
  void unsupported(String field, MessageType type, String why) {
    value(field).ifPresent(value -> problems.add(type, path(field), value.position(),
        "not supported by meshfed: " + why,
        type == MessageType.UNSUPPORTED_FIELD ? "remove " + field + "; the object is not used while it is set"
            : "remove " + field + " to silence this; the object is used without it"));
  }

  /** An Istio enum value meshfed does not implement: the object is rejected. */
  void unsupportedValue(String field, String detail, String fix) {
    value(field).ifPresent(value -> problems.add(MessageType.UNSUPPORTED_FIELD, path(field), value.position(),
        value.describe() + " is not supported by meshfed: " + detail, fix));
  }

  void deprecated(String field, String replacement) {
    value(field).ifPresent(value -> problems.add(MessageType.DEPRECATED_FIELD, path(field), value.position(),
        "deprecated in Istio", "use " + replacement));
  }

  void invalid(String field, Value value, String expected, String fix) {
    problems.add(MessageType.INVALID_VALUE, path(field), value == null ? position() : value.position(),
        (value == null ? "" : value.describe() + " ") + "(expected: " + expected + ")", fix);
  }

  /** An invalid combination reported on this object as a whole. */
  void invalidHere(String detail, String fix) {
    problems.add(MessageType.INVALID_VALUE, path, position(), detail, fix);
  }

  void warnHere(String field, String detail, String fix) {
    problems.add(MessageType.SUSPICIOUS_VALUE, path(field), value(field).flatMap(Value::position).or(this::position),
        detail, fix);
  }

  void missing(String field, String expected) {
    problems.add(MessageType.INVALID_VALUE, path(field), position(), "missing (expected: " + expected + ")",
        "set " + field);
  }

  /** Reports every field no reader asked about as unknown, suggesting the closest known name. */
  void finish() {
    for (Map.Entry<String, Value> entry : object.fields().entrySet()) {
      String field = entry.getKey();
      if (known.contains(field)) {
        continue;
      }
      Optional<String> suggestion = closest(field);
      problems.add(MessageType.UNKNOWN_FIELD, path(field), entry.getValue().position(),
          "unknown field (expected: one of " + known.stream().sorted().collect(Collectors.joining(", ")) + ")",
          suggestion.map(s -> "did you mean \"" + s + "\"?").orElse("remove " + field));
    }
  }

  /** Marks fields known without reading them (e.g. {@code status}, which users never write). */
  void allow(String... fields) {
    known.addAll(Arrays.asList(fields));
  }

  private <T> T read(ObjectValue nested, String nestedPath, Function<FieldReader, T> reader) {
    FieldReader child = new FieldReader(nested, nestedPath, problems);
    T result = reader.apply(child);
    child.finish();
    return result;
  }

  Optional<ObjectValue> objectValue(String field) {
    return value(field).flatMap(value -> {
      if (value instanceof ObjectValue nested) {
        return Optional.of(nested);
      }
      typeError(field, value, "an object");
      return Optional.empty();
    });
  }

  private Optional<ListValue> list(String field) {
    return value(field).flatMap(value -> {
      if (value instanceof ListValue list) {
        return Optional.of(list);
      }
      typeError(field, value, "a list");
      return Optional.empty();
    });
  }

  private Optional<Value> value(String field) {
    known.add(field);
    Value value = object.fields().get(field);
    if (value == null || value instanceof ScalarValue scalar && scalar.value() == null) {
      return Optional.empty(); // Kubernetes drops nulls; so do we
    }
    return Optional.of(value);
  }

  private void typeError(String field, Value value, String expected) {
    problems.add(MessageType.INVALID_VALUE, path(field), value.position(),
        value.describe() + " (expected: " + expected + ")", "write " + field + " as " + expected);
  }

  private static String range(long min, long max) {
    return max >= Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
  }

  private static String range(double min, double max) {
    return trim(min) + ".." + trim(max);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private Optional<String> closest(String field) {
    String lower = field.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(2, field.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Levenshtein distance, for did-you-mean suggestions. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
