package io.meshfed.gateway.l7.security;

import io.meshfed.gateway.l7.routing.RouteMatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A compiled {@code envoy.filters.http.jwt_authn} {@code JwtAuthentication} (Istio's RequestAuthentication).
 *
 * @param providers by name
 * @param rules which requests need which providers, first match wins
 */
public record JwtSpec(Map<String, Provider> providers, List<Rule> rules) {

  /**
   * One {@code JwtProvider}.
   *
   * @param name the provider name
   * @param issuer the expected {@code iss}, empty to accept any
   * @param audiences accepted {@code aud} values, empty to accept any
   * @param inlineJwks {@code local_jwks.inline_string}, null when remote
   * @param remoteJwksUri {@code remote_jwks.http_uri.uri}, null when inline
   * @param remoteTimeout the JWKS fetch timeout
   * @param cacheDuration how long a fetched JWKS is kept (default 10 min)
   * @param forward keep the token in the forwarded request (default: removed)
   * @param fromHeaders where tokens are read: header and value prefix
   * @param fromParams query parameters tokens are read from
   * @param forwardPayloadHeader header that gets the base64url payload, empty for none
   * @param payloadInMetadata the metadata key for the payload, empty for none
   * @param claimToHeaders claim name → header name
   */
  public record Provider(String name, String issuer, List<String> audiences, String inlineJwks, String remoteJwksUri,
                         Duration remoteTimeout, Duration cacheDuration, boolean forward,
                         List<TokenHeader> fromHeaders, List<String> fromParams, String forwardPayloadHeader,
                         String payloadInMetadata, Map<String, String> claimToHeaders) {
  }

  /**
   * A {@code JwtHeader}.
   *
   * @param name header name, lower case
   * @param valuePrefix the prefix before the token ({@code Bearer })
   */
  public record TokenHeader(String name, String valuePrefix) {
  }

  /**
   * A {@code RequirementRule}.
   *
   * @param match which requests
   * @param requirement what they need; null means no requirement
   */
  public record Rule(RouteMatch match, Requirement requirement) {
  }

  /** A {@code JwtRequirement}. */
  public sealed interface Requirement {
    /** {@code provider_name}. */
    record ProviderName(String name) implements Requirement {
    }

    /** {@code requires_any}. */
    record Any(List<Requirement> requirements) implements Requirement {
    }

    /** {@code requires_all}. */
    record All(List<Requirement> requirements) implements Requirement {
    }

    /** {@code allow_missing}: no token passes, an invalid one fails. */
    record AllowMissing() implements Requirement {
    }

    /** {@code allow_missing_or_failed}: never fails. */
    record AllowMissingOrFailed() implements Requirement {
    }
  }
}
