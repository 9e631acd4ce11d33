package io.meshfed.control.plane.istio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Conversions between {@link Value} trees and the plain maps and lists JSON libraries use. */
public final class Values {

  private Values() {
  }

  /** A tree (without positions) from what Jackson produces for JSON: maps, lists, strings, numbers, booleans. */
  public static Value fromJava(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Value> fields = new LinkedHashMap<>();
      map.forEach((k, v) -> fields.put(String.valueOf(k), fromJava(v)));
      return new ObjectValue(fields, Optional.empty());
    }
    if (value instanceof List<?> list) {
      List<Value> items = new ArrayList<>(list.size());
      list.forEach(item -> items.add(fromJava(item)));
      return new ListValue(items, Optional.empty());
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return new ScalarValue(((Number) value).longValue(), Optional.empty());
    }
    if (value instanceof Float f) {
      return new ScalarValue(f.doubleValue(), Optional.empty());
    }
    if (value instanceof java.math.BigInteger || value instanceof java.math.BigDecimal) {
      return new ScalarValue(value.toString(), Optional.empty());
    }
    return new ScalarValue(value, Optional.empty());
  }

  /** The tree as plain maps, lists and scalars, for handing to Jackson. */
  public static Object toJava(Value value) {
    if (value instanceof ObjectValue object) {
      Map<String, Object> map = new LinkedHashMap<>();
      object.fields().forEach((k, v) -> map.put(k, toJava(v)));
      return map;
    }
    if (value instanceof ListValue list) {
      List<Object> items = new ArrayList<>(list.items().size());
      list.items().forEach(item -> items.add(toJava(item)));
      return items;
    }
    Object scalar = ((ScalarValue) value).value();
    if (scalar instanceof Long number && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
      return number.intValue(); // fabric8's IntOrString and int fields expect Integer
    }
    return scalar;
  }
}
