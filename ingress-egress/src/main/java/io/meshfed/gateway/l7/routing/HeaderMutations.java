package io.meshfed.gateway.l7.routing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Envoy's {@code *_headers_to_add} / {@code *_headers_to_remove} at one level (route configuration, virtual host,
 * route or weighted cluster). Removals run before additions, as in Envoy.
 *
 * @param add the headers to add, in order
 * @param remove lower-case names to remove
 */
public record HeaderMutations(List<HeaderAdd> add, List<String> remove) {

  /** No mutation. */
  public static final HeaderMutations NONE = new HeaderMutations(List.of(), List.of());

  /** True when this level changes nothing. */
  public boolean isEmpty() {
    return add.isEmpty() && remove.isEmpty();
  }

  /** Applies this level to {@code headers}. */
  public void apply(HttpHeaders headers) {
    for (String name : remove) {
      headers.remove(name);
    }
    for (HeaderAdd header : add) {
      header.apply(headers);
    }
  }

  /** Envoy's {@code HeaderValueOption.append_action}. */
  public enum AppendAction {
    /** Append a value (the default; Istio's {@code add}). */
    APPEND_IF_EXISTS_OR_ADD,
    /** Only add when absent. */
    ADD_IF_ABSENT,
    /** Replace all values (Istio's {@code set}). */
    OVERWRITE_IF_EXISTS_OR_ADD,
    /** Replace only when present. */
    OVERWRITE_IF_EXISTS
  }

  /**
   * One header to add.
   *
   * @param name lower-case header name
   * @param value the literal value
   * @param action how to combine with existing values
   * @param keepEmptyValue Envoy's {@code keep_empty_value}: without it an empty value is not added
   */
  public record HeaderAdd(String name, String value, AppendAction action, boolean keepEmptyValue) {

    void apply(HttpHeaders headers) {
      if (value.isEmpty() && !keepEmptyValue) {
        return;
      }
      switch (action) {
        case APPEND_IF_EXISTS_OR_ADD -> headers.add(name, value);
        case ADD_IF_ABSENT -> {
          if (!headers.contains(name)) {
            headers.add(name, value);
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> headers.set(name, value);
        case OVERWRITE_IF_EXISTS -> {
          if (headers.contains(name)) {
            headers.set(name, value);
          }
        }
        default -> throw new IllegalStateException("append action " + action);
      }
    }
  }
}
