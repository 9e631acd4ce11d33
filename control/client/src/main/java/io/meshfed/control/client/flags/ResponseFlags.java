package io.meshfed.control.client.flags;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The set of response flags on one request or connection: immutable, a bit set underneath, printed the way Envoy
 * prints {@code %RESPONSE_FLAGS%} ({@code -} for none, else the codes in Envoy's order joined by commas:
 * {@code UF,URX}). The same text goes into the {@value #HEADER} response header, the access log's
 * {@code response_flags} field and the {@code response_flags} metric label.
 *
 * <p>Cheap on the hot path: the empty set and every one-flag set are shared constants, and the text of a set is
 * computed once.
 */
public final class ResponseFlags {

  /** The response header that carries the flags of a locally generated response. */
  public static final String HEADER = "x-meshfed-flags";

  /**
   * The response header that carries Envoy-style response code details of a locally generated response, such as
   * {@code rbac_access_denied_matched_policy[ns[default]-policy[deny-all]-rule[0]]} for an RBAC denial.
   */
  public static final String DETAILS_HEADER = "x-meshfed-details";

  /** No flag: {@code -}. */
  public static final ResponseFlags NONE = new ResponseFlags(0);

  private static final ResponseFlag[] FLAGS = ResponseFlag.values();
  private static final ResponseFlags[] SINGLE = Arrays.stream(FLAGS)
      .map(flag -> new ResponseFlags(1 << flag.ordinal()))
      .toArray(ResponseFlags[]::new);

  private final int bits;
  // Computed on first use; a race computes the same string twice, which is harmless.
  private String text;

  private ResponseFlags(int bits) {
    this.bits = bits;
  }

  /** The set holding exactly these flags. */
  public static ResponseFlags of(ResponseFlag... flags) {
    ResponseFlags result = NONE;
    for (ResponseFlag flag : flags) {
      result = result.with(flag);
    }
    return result;
  }

  /** The set holding exactly these flags. */
  public static ResponseFlags of(Set<ResponseFlag> flags) {
    return of(flags.toArray(ResponseFlag[]::new));
  }

  /**
   * Parses Envoy's text form: {@code -} or empty for none, else codes (or Envoy long names) separated by commas.
   *
   * @throws IllegalArgumentException naming the unknown code and listing the known ones
   */
  public static ResponseFlags parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty() || trimmed.equals("-")) {
      return NONE;
    }
    ResponseFlags result = NONE;
    for (String part : trimmed.split(",")) {
      String code = part.trim();
      ResponseFlag flag = ResponseFlag.find(code).orElseThrow(() -> new IllegalArgumentException(
          "response flags: " + code + " in \"" + text + "\" is not a response flag (expected: \"-\" or one or more of "
              + Arrays.stream(FLAGS).map(ResponseFlag::code).collect(Collectors.joining(", "))
              + ", separated by commas)"));
      result = result.with(flag);
    }
    return result;
  }

  /**
   * Parses a gateway engine's own flag text ({@code UH,URX}): like {@link #parse}, but a code outside this vocabulary
   * is dropped instead of refused, since there is nothing to explain it with (the response header still carries it).
   */
  public static ResponseFlags parseKnown(String text) {
    if (text == null || text.isEmpty()) {
      return NONE;
    }
    ResponseFlags result = NONE;
    for (String part : text.split(",")) {
      ResponseFlag flag = ResponseFlag.find(part.trim()).orElse(null);
      if (flag != null) {
        result = result.with(flag);
      }
    }
    return result;
  }

  /** This set plus {@code flag}. */
  public ResponseFlags with(ResponseFlag flag) {
    int mask = 1 << flag.ordinal();
    if ((bits & mask) != 0) {
      return this;
    }
    return bits == 0 ? SINGLE[flag.ordinal()] : new ResponseFlags(bits | mask);
  }

  /** This set plus every flag of {@code other}. */
  public ResponseFlags with(ResponseFlags other) {
    if ((bits | other.bits) == bits) {
      return this;
    }
    return bits == 0 ? other : new ResponseFlags(bits | other.bits);
  }

  public boolean contains(ResponseFlag flag) {
    return (bits & (1 << flag.ordinal())) != 0;
  }

  public boolean isEmpty() {
    return bits == 0;
  }

  /** The flags in Envoy's order. */
  public List<ResponseFlag> flags() {
    List<ResponseFlag> result = new ArrayList<>(Integer.bitCount(bits));
    for (ResponseFlag flag : FLAGS) {
      if (contains(flag)) {
        result.add(flag);
      }
    }
    return result;
  }

  /** The flags as an {@link EnumSet}. */
  public Set<ResponseFlag> asSet() {
    EnumSet<ResponseFlag> result = EnumSet.noneOf(ResponseFlag.class);
    result.addAll(flags());
    return result;
  }

  /**
   * The flags as one int, bit {@code flag.ordinal()} per flag: a compact key for caches (meters per label set).
   */
  public int bits() {
    return bits;
  }

  /** Envoy's long names joined by commas, as {@code %RESPONSE_FLAGS_LONG%} prints them; {@code -} for none. */
  public String toLongString() {
    return bits == 0 ? "-" : flags().stream().map(ResponseFlag::longName).collect(Collectors.joining(","));
  }

  /** Envoy's {@code %RESPONSE_FLAGS%} text: {@code -}, {@code UF} or {@code UF,URX}. */
  @Override
  public String toString() {
    String result = text;
    if (result == null) {
      result = bits == 0 ? "-" : flags().stream().map(ResponseFlag::code).collect(Collectors.joining(","));
      text = result;
    }
    return result;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ResponseFlags flags && flags.bits == bits;
  }

  @Override
  public int hashCode() {
    return bits;
  }
}
