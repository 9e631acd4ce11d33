package io.meshfed.control.plane.translate.security;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshfed.control.plane.istio.RequestAuthentication;
import io.meshfed.control.plane.istio.RequestAuthentication.ClaimToHeader;
import io.meshfed.control.plane.istio.RequestAuthentication.JwtRule;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.model.Problems;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RequestAuthentications → {@code envoy.filters.http.jwt_authn} (Istio's "Request Authentication" semantics): a
 * request without a token passes (an AuthorizationPolicy on {@code requestPrincipals} can demand one); a request
 * with a token must carry one valid for one of the rules. The payload is kept in metadata under the issuer, as Istio
 * does, so authorization can read {@code request.auth.*}.
 */
public final class JwtFilters {

  public static final String JWT_AUTHN = "envoy.filters.http.jwt_authn";
  /** Istio's JWKS cache duration. */
  static final java.time.Duration JWKS_CACHE = java.time.Duration.ofMinutes(5);

  private JwtFilters() {
  }

  /** The filter for the RequestAuthentications that apply to a gateway workload; empty when none does. */
  public static Optional<HttpFilter> http(List<RequestAuthentication> authentications, Problems problems) {
    Map<String, JwtProvider> providers = new LinkedHashMap<>();
    for (RequestAuthentication ra : authentications) {
      for (int i = 0; i < ra.jwtRules().size(); i++) {
        JwtRule rule = ra.jwtRules().get(i);
        String path = "spec.jwtRules[" + i + "]";
        Optional<JwtProvider> provider = provider(ra, path, rule, problems);
        if (provider.isEmpty()) {
          continue;
        }
        String name = "origins-" + providers.size();
        if (providers.values().stream().anyMatch(p -> p.getIssuer().equals(rule.issuer()))) {
          problems.report(Kind.UNSUPPORTED, ra, path + ".issuer", "issuer " + rule.issuer() + " is configured by "
              + "another rule already; this one is ignored", "keep one rule per issuer for a workload");
          continue;
        }
        providers.put(name, provider.get());
      }
    }
    if (providers.isEmpty()) {
      return Optional.empty();
    }
    JwtRequirementOrList.Builder any = JwtRequirementOrList.newBuilder();
    providers.keySet().forEach(name -> any.addRequirements(JwtRequirement.newBuilder().setProviderName(name)));
    any.addRequirements(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance()));
    JwtAuthentication config = JwtAuthentication.newBuilder()
        .putAllProviders(providers)
        .addRules(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRequires(JwtRequirement.newBuilder().setRequiresAny(any)))
        .build();
    return Optional.of(HttpFilter.newBuilder().setName(JWT_AUTHN).setTypedConfig(Any.pack(config)).build());
  }

  private static Optional<JwtProvider> provider(RequestAuthentication ra, String path, JwtRule rule,
      Problems problems) {
    JwtProvider.Builder provider = JwtProvider.newBuilder().setIssuer(rule.issuer())
        .addAllAudiences(rule.audiences())
        .setForward(rule.forwardOriginalToken())
        .setPayloadInMetadata(rule.issuer());
    if (rule.jwks().isPresent()) {
      provider.setLocalJwks(DataSource.newBuilder().setInlineString(rule.jwks().get()));
    } else if (rule.jwksUri().isPresent()) {
      String uri = rule.jwksUri().get();
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        problems.report(Kind.UNSUPPORTED, ra, path + ".jwksUri", uri + " is not a URI; the rule is ignored, so "
            + "tokens of " + rule.issuer() + " are rejected", "give an http(s) URI");
        return Optional.empty();
      }
      int port = parsed.getPort() > 0 ? parsed.getPort() : "http".equals(parsed.getScheme()) ? 80 : 443;
      provider.setRemoteJwks(RemoteJwks.newBuilder()
          .setHttpUri(HttpUri.newBuilder().setUri(uri)
              .setCluster("outbound|" + port + "||" + parsed.getHost())
              .setTimeout(Durations.fromNanos(rule.timeout().orElse(java.time.Duration.ofSeconds(5)).toNanos())))
          .setCacheDuration(Durations.fromNanos(JWKS_CACHE.toNanos())));
    } else {
      problems.report(Kind.UNSUPPORTED, ra, path, "neither jwks nor jwksUri: meshfed does not run OpenID discovery "
          + "for " + rule.issuer() + "; the rule is ignored, so its tokens are rejected",
          "set jwksUri (the issuer's jwks_uri) or an inline jwks");
      return Optional.empty();
    }
    for (RequestAuthentication.JwtHeader header : rule.fromHeaders()) {
      provider.addFromHeaders(JwtHeader.newBuilder().setName(header.name()).setValuePrefix(header.prefix().orElse("")));
    }
    provider.addAllFromParams(rule.fromParams());
    if (!rule.fromCookies().isEmpty()) {
      problems.report(Kind.UNSUPPORTED, ra, path + ".fromCookies", "tokens in cookies are not read by meshfed's "
          + "gateways; ignored (tokens are looked for in the other places)", "send the token in a header");
    }
    rule.outputPayloadToHeader().ifPresent(provider::setForwardPayloadHeader);
    for (ClaimToHeader claim : rule.outputClaimToHeaders()) {
      provider.addClaimToHeaders(JwtClaimToHeader.newBuilder().setHeaderName(claim.header())
          .setClaimName(claim.claim()));
    }
    return Optional.of(provider.build());
  }
}
