package io.meshfed.gateway.eastwest.process;

import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.gateway.eastwest.ResponseFlag;
import java.util.Set;

/**
 * The east-west engine's response flags in control/client's vocabulary (the one the access log, the metrics and
 * {@code meshfed explain} share), mapped by Envoy code once; a code that vocabulary lacks maps to none.
 */
final class EngineFlags {

  private static final ResponseFlags[] BY_ORDINAL = table();

  private EngineFlags() {
  }

  /** {@code flags} in the shared vocabulary; null or empty is none. */
  static ResponseFlags of(Set<ResponseFlag> flags) {
    if (flags == null || flags.isEmpty()) {
      return ResponseFlags.NONE;
    }
    ResponseFlags result = ResponseFlags.NONE;
    for (ResponseFlag flag : flags) {
      result = result.with(BY_ORDINAL[flag.ordinal()]);
    }
    return result;
  }

  private static ResponseFlags[] table() {
    ResponseFlag[] engine = ResponseFlag.values();
    ResponseFlags[] table = new ResponseFlags[engine.length];
    for (ResponseFlag flag : engine) {
      table[flag.ordinal()] = ResponseFlags.parseKnown(flag.code());
    }
    return table;
  }
}
