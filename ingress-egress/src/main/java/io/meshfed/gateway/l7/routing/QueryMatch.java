package io.meshfed.gateway.l7.routing;

import java.util.List;

/**
 * A compiled Envoy {@code QueryParameterMatcher}: a value matcher, or presence when {@code match} is null.
 *
 * @param name the parameter name
 * @param match the value matcher; null for {@code present_match}
 */
public record QueryMatch(String name, StringMatch match) {

  /** True when any value of the parameter matches (or, for presence, when the parameter exists). */
  public boolean matches(RequestView request) {
    List<String> values = request.queryParameter(name);
    if (values.isEmpty()) {
      return false;
    }
    if (match == null) {
      return true;
    }
    for (String value : values) {
      if (match.matches(value)) {
        return true;
      }
    }
    return false;
  }
}
