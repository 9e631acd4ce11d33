package io.meshfed.control.plane.istio;

import java.util.Map;

/**
 * Istio's PeerAuthentication (security.istio.io): the mTLS mode a workload accepts. Scope follows from where it
 * lives: no selector in the root namespace is mesh-wide, no selector elsewhere is namespace-wide, a selector makes
 * it workload-specific. {@link PeerAuthenticationIndex} resolves the effective mode.
 *
 * @param selector workload labels; empty for mesh- or namespace-wide policies
 * @param mode {@code UNSET} inherits from the enclosing scope
 * @param portLevelMtls per workload (container) port; only allowed with a selector
 */
public record PeerAuthentication(ResourceMeta meta, Map<String, String> selector, MtlsMode mode,
    Map<Integer, MtlsMode> portLevelMtls) implements ConfigResource {

  public PeerAuthentication {
    selector = Map.copyOf(selector);
    portLevelMtls = Map.copyOf(portLevelMtls);
  }

  /** What the workload accepts: UNSET inherits, DISABLE plain text, PERMISSIVE both, STRICT mTLS only. */
  public enum MtlsMode { UNSET, DISABLE, PERMISSIVE, STRICT }
}
