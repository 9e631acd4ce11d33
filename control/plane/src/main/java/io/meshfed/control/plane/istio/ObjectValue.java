package io.meshfed.control.plane.istio;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A mapping node; keys keep the order they were written in. */
public record ObjectValue(Map<String, Value> fields, Optional<Position> position) implements Value {

  public ObjectValue {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public Optional<Value> get(String field) {
    return Optional.ofNullable(fields.get(field));
  }

  /** The scalar text of {@code field}, if it is a non-null scalar. */
  public Optional<String> text(String field) {
    return get(field).filter(ScalarValue.class::isInstance).map(ScalarValue.class::cast)
        .filter(scalar -> scalar.value() != null).map(ScalarValue::text);
  }

  public Optional<ObjectValue> object(String field) {
    return get(field).filter(ObjectValue.class::isInstance).map(ObjectValue.class::cast);
  }

  @Override
  public String describe() {
    return "{...}";
  }
}
