package io.meshfed.gateway.l7.proxy;

import java.util.EnumSet;
import java.util.StringJoiner;

/**
 * Envoy's response flags, as the engine emits them ({@code x-meshfed-flags}, the access log, the
 * {@code response_flags} metric label).
 *
 * <p>PLACEHOLDER for the runtime kit's flag vocabulary ({@code io.meshfed.control.client.flags}): this package-private
 * copy exists only until that kit is merged; replace its uses with the kit's type and delete it. Only the codes the
 * engine generates are listed, with Envoy's meanings.
 */
enum ResponseFlag {
  /** No healthy upstream host. */
  UH,
  /** Upstream connection failure. */
  UF,
  /** Upstream overflow (circuit breaking). */
  UO,
  /** No route configured (404), or a REGISTRY_ONLY egress block (502). */
  NR,
  /** Upstream retry limit exceeded. */
  URX,
  /** Upstream request timeout. */
  UT,
  /** Local reset. */
  LR,
  /** Upstream remote reset. */
  UR,
  /** Upstream connection termination. */
  UC,
  /** Downstream connection termination. */
  DC,
  /** Delayed by fault injection. */
  DI,
  /** Aborted by fault injection. */
  FI,
  /** Denied by an external authorizer. */
  UAEX,
  /** Downstream protocol error. */
  DPE,
  /** Upstream protocol error. */
  UPE,
  /** Stream idle timeout. */
  SI,
  /** Cluster not found. */
  NC;

  /** Envoy's rendering: comma-separated in declaration order, {@code -} when empty. */
  static String render(EnumSet<ResponseFlag> flags) {
    if (flags.isEmpty()) {
      return "-";
    }
    StringJoiner joiner = new StringJoiner(",");
    for (ResponseFlag flag : flags) {
      joiner.add(flag.name());
    }
    return joiner.toString();
  }
}
