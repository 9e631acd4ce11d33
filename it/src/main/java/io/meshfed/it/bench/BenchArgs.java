package io.meshfed.it.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmarks' command-line arguments: whole numbers given as {@code key=value} over defaults. An argument that
 * names no known key, or whose value is not a whole number, is refused with the keys there are.
 */
public final class BenchArgs {

  private BenchArgs() {
  }

  /** {@code defaults} with {@code args} applied; unmodifiable, in the defaults' iteration order. */
  public static Map<String, Integer> parse(Map<String, Integer> defaults, String... args) {
    Map<String, Integer> values = new LinkedHashMap<>(defaults);
    for (String arg : args) {
      String[] keyValue = arg.split("=", 2);
      if (keyValue.length != 2 || !values.containsKey(keyValue[0])) {
        throw new IllegalArgumentException("argument: " + arg + " (expected: one of "
            + new TreeMap<>(defaults).keySet() + " as key=value)");
      }
      try {
        values.put(keyValue[0], Integer.parseInt(keyValue[1]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(keyValue[0] + ": " + keyValue[1] + " (expected: a whole number)");
      }
    }
    return Collections.unmodifiableMap(values);
  }
}
