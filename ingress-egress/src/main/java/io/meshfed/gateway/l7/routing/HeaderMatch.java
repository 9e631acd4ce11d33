package io.meshfed.gateway.l7.routing;

/**
 * A compiled Envoy {@code HeaderMatcher}. Exactly one of {@code match} and {@code present} is set.
 *
 * @param name lower-case header name (pseudo headers such as {@code :method} allowed)
 * @param match the value matcher, or null for a presence match
 * @param present for a presence match: whether the header must be present
 * @param invert Envoy's {@code invert_match}, applied to the final result (so it also inverts absence)
 * @param treatMissingAsEmpty Envoy's {@code treat_missing_header_as_empty}
 */
public record HeaderMatch(String name, StringMatch match, boolean present, boolean invert,
                          boolean treatMissingAsEmpty) {

  /** True when the request's header satisfies this matcher. */
  public boolean matches(RequestView request) {
    String value = request.header(name);
    boolean result;
    if (match == null) {
      result = (value != null) == present;
    } else if (value == null) {
      result = treatMissingAsEmpty && match.matches("");
    } else {
      result = match.matches(value);
    }
    return invert != result;
  }
}
