package io.meshfed.control.plane.istio;

import java.util.List;
import java.util.Map;

/** Header manipulation on the request forwarded and on the response returned. */
public record Headers(Operations request, Operations response) {

  /** {@code set} overwrites, {@code add} appends, {@code remove} deletes, in that order (Envoy's). */
  public record Operations(Map<String, String> set, Map<String, String> add, List<String> remove) {

    public static final Operations NONE = new Operations(Map.of(), Map.of(), List.of());

    public Operations {
      set = Map.copyOf(set);
      add = Map.copyOf(add);
      remove = List.copyOf(remove);
    }
  }
}
