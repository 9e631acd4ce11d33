package io.meshfed.control.plane.istio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's RequestAuthentication (security.istio.io): which JWTs a workload accepts. A request with an invalid token
 * is rejected; a request without one is accepted (pair with an AuthorizationPolicy requiring
 * {@code requestPrincipals} to demand a token). Scope as for {@link PeerAuthentication}.
 */
public record RequestAuthentication(ResourceMeta meta, Map<String, String> selector, List<JwtRule> jwtRules)
    implements ConfigResource {

  public RequestAuthentication {
    selector = Map.copyOf(selector);
    jwtRules = List.copyOf(jwtRules);
  }

  /**
   * @param fromHeaders where to find the token; {@code Authorization: Bearer} when neither headers, params nor
   *     cookies are given
   * @param jwks inline JWKS; otherwise fetched from {@code jwksUri} (or OpenID discovery of the issuer)
   */
  public record JwtRule(String issuer, List<String> audiences, Optional<String> jwksUri, Optional<String> jwks,
      List<JwtHeader> fromHeaders, List<String> fromParams, List<String> fromCookies,
      Optional<String> outputPayloadToHeader, boolean forwardOriginalToken, List<ClaimToHeader> outputClaimToHeaders,
      Optional<Duration> timeout) {

    public JwtRule {
      audiences = List.copyOf(audiences);
      fromHeaders = List.copyOf(fromHeaders);
      fromParams = List.copyOf(fromParams);
      fromCookies = List.copyOf(fromCookies);
      outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
    }
  }

  /** A header carrying the token, with an optional prefix to strip (e.g. {@code Bearer }). */
  public record JwtHeader(String name, Optional<String> prefix) {
  }

  /** Copies a claim of a valid token into a request header. */
  public record ClaimToHeader(String header, String claim) {
  }
}
