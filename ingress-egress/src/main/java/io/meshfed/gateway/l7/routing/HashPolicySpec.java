package io.meshfed.gateway.l7.routing;

import java.time.Duration;

/**
 * One of a route's Envoy {@code hash_policy} entries (Istio's {@code consistentHash}).
 *
 * @param kind what is hashed
 * @param name header or cookie name (unused for source IP)
 * @param cookieTtl for a cookie: when set and the cookie is absent, the gateway generates it (Istio's
 *     {@code httpCookie.ttl}); null otherwise
 * @param cookiePath the generated cookie's path, empty for none
 * @param terminal Envoy's {@code terminal}: stop at the first policy that yields a hash
 */
public record HashPolicySpec(Kind kind, String name, Duration cookieTtl, String cookiePath, boolean terminal) {

  /** What a hash policy hashes. */
  public enum Kind { HEADER, COOKIE, SOURCE_IP, QUERY_PARAMETER }
}
