package io.meshfed.control.plane.istio;

import java.util.List;
import java.util.Optional;

/** A sequence node. */
public record ListValue(List<Value> items, Optional<Position> position) implements Value {

  public ListValue {
    items = List.copyOf(items);
  }

  @Override
  public String describe() {
    return "[...]";
  }
}
