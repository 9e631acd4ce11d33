package io.meshfed.gateway.l7.routing;

/**
 * Per-route or per-virtual-host {@code typed_per_filter_config} the engine honours.
 *
 * @param fault {@code envoy.filters.http.fault}, null when absent
 * @param cors {@code envoy.filters.http.cors}, null when absent
 */
public record FilterOverrides(FaultSpec fault, CorsSpec cors) {

  /** Nothing overridden. */
  public static final FilterOverrides NONE = new FilterOverrides(null, null);

  /** The more specific level wins field by field (route over virtual host), as Envoy resolves per-filter config. */
  public FilterOverrides over(FilterOverrides lessSpecific) {
    return new FilterOverrides(fault != null ? fault : lessSpecific.fault,
        cors != null ? cors : lessSpecific.cors);
  }
}
