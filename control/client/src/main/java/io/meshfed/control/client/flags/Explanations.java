package io.meshfed.control.client.flags;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The explanation catalogue: for each response flag, what happened, the likely causes (Istio's 503 flowchart:
 * start-up race, rolling update without drain, pool overflow, keep-alive mismatch, mTLS mode mismatch, no route,
 * stale config, outlier ejection, ...), how to confirm each and the fix. {@code meshfed explain} prints these.
 */
public final class Explanations {

  private static final Map<ResponseFlag, FlagExplanation> BY_FLAG = byFlag();
  private static final FlagExplanation NO_FLAG = RequestExplanations.noFlag();
  private static final FlagExplanation RBAC_DENIED = RequestExplanations.rbacDenied();

  private Explanations() {
  }

  /** The explanation of one flag. */
  public static FlagExplanation of(ResponseFlag flag) {
    return BY_FLAG.get(flag);
  }

  /** The explanation of a failure without a flag ({@code -}): the upstream answered, or an RBAC denial. */
  public static FlagExplanation noFlag() {
    return NO_FLAG;
  }

  /** The explanation of an AuthorizationPolicy (RBAC) denial. */
  public static FlagExplanation rbacDenied() {
    return RBAC_DENIED;
  }

  /**
   * The explanations of a set of flags, in Envoy's order, or {@link #noFlag()} alone when the set is empty.
   */
  public static List<FlagExplanation> of(ResponseFlags flags) {
    if (flags.isEmpty()) {
      return List.of(NO_FLAG);
    }
    List<FlagExplanation> result = new ArrayList<>();
    for (ResponseFlag flag : flags.flags()) {
      result.add(of(flag));
    }
    return result;
  }

  /**
   * The explanations that fit one response: its flags', or, without flags, the RBAC explanation when the response
   * code details say RBAC denied it, else {@link #noFlag()}.
   */
  public static List<FlagExplanation> forResponse(ResponseFlags flags, String responseCodeDetails) {
    if (flags.isEmpty() && isRbacDenial(responseCodeDetails)) {
      return List.of(RBAC_DENIED);
    }
    return of(flags);
  }

  /** An explanation by subject: a flag's code or long name, {@code -}, or {@code rbac_access_denied}. */
  public static Optional<FlagExplanation> find(String subject) {
    if (subject.equals("-")) {
      return Optional.of(NO_FLAG);
    }
    if (isRbacDenial(subject)) {
      return Optional.of(RBAC_DENIED);
    }
    return ResponseFlag.find(subject).map(Explanations::of);
  }

  /** Every explanation: one per flag in Envoy's order, then no-flag, then RBAC. */
  public static List<FlagExplanation> all() {
    return Stream.concat(BY_FLAG.values().stream(), Stream.of(NO_FLAG, RBAC_DENIED)).toList();
  }

  static boolean isRbacDenial(String responseCodeDetails) {
    return responseCodeDetails != null && responseCodeDetails.startsWith(RequestExplanations.RBAC_DENIED);
  }

  private static Map<ResponseFlag, FlagExplanation> byFlag() {
    Map<ResponseFlag, FlagExplanation> result = new EnumMap<>(ResponseFlag.class);
    Stream.concat(UpstreamExplanations.all().stream(), RequestExplanations.all().stream())
        .forEach(explanation -> result.put(ResponseFlag.valueOf(explanation.subject()), explanation));
    for (ResponseFlag flag : ResponseFlag.values()) {
      if (!result.containsKey(flag)) {
        throw new IllegalStateException("no explanation for response flag " + flag);
      }
    }
    return Collections.unmodifiableMap(result);
  }
}
