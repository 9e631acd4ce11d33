package io.meshfed.control.plane.translate;

/**
 * Istio's {@code meshConfig.outboundTrafficPolicy.mode}: what the egress gateway does with a host no Service or
 * ServiceEntry defines.
 */
public enum OutboundTrafficPolicy {
  /** Unknown hosts get no route (404, flag {@code NR}); nothing is blocked explicitly. Istio's default. */
  ALLOW_ANY,
  /**
   * Unknown hosts are refused: every egress route configuration ends with a {@code block_all} virtual host answering
   * 502 (docs/xds-profile.md, "Routes").
   */
  REGISTRY_ONLY
}
