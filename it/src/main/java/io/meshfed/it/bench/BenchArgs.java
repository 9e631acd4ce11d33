package io.meshfed.it.bench;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmarks' command-line arguments: integers given as {@code key=value} over defaults. An argument that names no
 * known key is refused with the keys there are; a value that is not an {@code int} is refused by its key.
 */
public final class BenchArgs {

  private BenchArgs() {
  }

  /** {@code defaults} with {@code args} applied; unmodifiable, sorted by key. */
  public static Map<String, Integer> parse(Map<String, Integer> defaults, String... args) {
    Map<String, Integer> values = new TreeMap<>(defaults);
    for (String arg : args) {
      String[] keyValue = arg.split("=", 2);
      if (keyValue.length != 2 || !values.containsKey(keyValue[0])) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: one of "
            + values.keySet() + " as key=value)");
      }
      try {
        values.put(keyValue[0], Integer.parseInt(keyValue[1]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(keyValue[0] + ": " + keyValue[1] + " (expected: an integer)");
      }
    }
    return Collections.unmodifiableMap(values);
  }
}
