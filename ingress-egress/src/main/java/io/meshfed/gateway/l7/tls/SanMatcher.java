package io.meshfed.gateway.l7.tls;

import io.meshfed.gateway.l7.routing.StringMatch;

/**
 * Envoy's {@code SubjectAltNameMatcher}: a SAN type and a string matcher on its value.
 *
 * @param type which SAN kind is checked
 * @param match the value matcher
 */
public record SanMatcher(SanType type, StringMatch match) {

  /** The SAN kinds Envoy can match. */
  public enum SanType { URI, DNS, EMAIL, IP_ADDRESS }
}
