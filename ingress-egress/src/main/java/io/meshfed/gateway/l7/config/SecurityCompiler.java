package io.meshfed.gateway.l7.config;

import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.meshfed.gateway.l7.routing.StringMatch;
import io.meshfed.gateway.l7.security.ExtAuthzSpec;
import io.meshfed.gateway.l7.security.JwtSpec;
import io.meshfed.gateway.l7.security.MetadataMatch;
import io.meshfed.gateway.l7.security.RbacSpec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Compiles the security filters: jwt_authn (RequestAuthentication), rbac (AuthorizationPolicy), ext_authz. */
final class SecurityCompiler {

  private SecurityCompiler() {
  }

  static JwtSpec jwt(JwtAuthentication config, String path, Problems problems) {
    Protos.allowOnly(config, path, problems, Set.of("providers", "rules", "bypass_cors_preflight"));
    Map<String, JwtSpec.Provider> providers = new LinkedHashMap<>();
    for (Map.Entry<String, JwtProvider> entry : new TreeMap<>(config.getProvidersMap()).entrySet()) {
      JwtSpec.Provider provider = provider(entry.getKey(), entry.getValue(),
          path + ".providers[" + entry.getKey() + "]", problems);
      if (provider != null) {
        providers.put(entry.getKey(), provider);
      }
    }
    List<JwtSpec.Rule> rules = new ArrayList<>();
    for (int i = 0; i < config.getRulesCount(); i++) {
      var rule = config.getRules(i);
      String at = path + ".rules[" + i + "]";
      Protos.allowOnly(rule, at, problems, Set.of("match", "requires"));
      JwtSpec.Requirement requirement = rule.hasRequires()
          ? requirement(rule.getRequires(), at + ".requires", providers, problems) : null;
      rules.add(new JwtSpec.Rule(RouteCompiler.match(rule.getMatch(), at + ".match", problems), requirement));
    }
    return new JwtSpec(Map.copyOf(providers), List.copyOf(rules));
  }

  private static JwtSpec.Provider provider(String name, JwtProvider provider, String path, Problems problems) {
    Protos.allowOnly(provider, path, problems, Set.of("issuer", "audiences", "remote_jwks", "local_jwks", "forward",
        "from_headers", "from_params", "forward_payload_header", "payload_in_metadata", "claim_to_headers"));
    String inline = null;
    String uri = null;
    Duration timeout = Duration.ofSeconds(5);
    Duration cache = Duration.ofMinutes(10);
    switch (provider.getJwksSourceSpecifierCase()) {
      case LOCAL_JWKS -> {
        byte[] bytes = Protos.inline(provider.getLocalJwks(), path + ".local_jwks", problems);
        inline = bytes == null ? "" : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        try {
          new io.vertx.core.json.JsonObject(inline).getJsonArray("keys").size();
        } catch (RuntimeException e) {
          problems.error(path + ".local_jwks", "not a JWKS document (expected: {\"keys\": [...]})");
        }
      }
      case REMOTE_JWKS -> {
        var remote = provider.getRemoteJwks();
        Protos.allowOnly(remote, path + ".remote_jwks", problems, Set.of("http_uri", "cache_duration",
            "async_fetch", "retry_policy"));
        uri = remote.getHttpUri().getUri();
        try {
          URI parsed = URI.create(uri);
          if (parsed.getHost() == null || !(uri.startsWith("http://") || uri.startsWith("https://"))) {
            throw new IllegalArgumentException("no host");
          }
        } catch (IllegalArgumentException e) {
          problems.error(path + ".remote_jwks.http_uri.uri", uri + " (expected: an http or https URL)");
        }
        if (remote.getHttpUri().hasTimeout()) {
          timeout = Protos.duration(true, remote.getHttpUri().getTimeout());
        }
        if (remote.hasCacheDuration()) {
          cache = Protos.duration(true, remote.getCacheDuration());
        }
      }
      default -> problems.error(path, "no JWKS (expected: local_jwks or remote_jwks)");
    }
    List<JwtSpec.TokenHeader> headers = new ArrayList<>();
    for (var header : provider.getFromHeadersList()) {
      headers.add(new JwtSpec.TokenHeader(header.getName().toLowerCase(Locale.ROOT), header.getValuePrefix()));
    }
    List<String> params = new ArrayList<>(provider.getFromParamsList());
    if (headers.isEmpty() && params.isEmpty()) {
      // jwt_authn's documented default locations.
      headers.add(new JwtSpec.TokenHeader("authorization", "Bearer "));
      params.add("access_token");
    }
    Map<String, String> claims = new LinkedHashMap<>();
    for (var claim : provider.getClaimToHeadersList()) {
      claims.put(claim.getClaimName(), claim.getHeaderName().toLowerCase(Locale.ROOT));
    }
    return new JwtSpec.Provider(name, provider.getIssuer(), List.copyOf(provider.getAudiencesList()), inline, uri,
        timeout, cache, provider.getForward(), List.copyOf(headers), List.copyOf(params),
        provider.getForwardPayloadHeader().toLowerCase(Locale.ROOT), provider.getPayloadInMetadata(),
        Map.copyOf(claims));
  }

  private static JwtSpec.Requirement requirement(JwtRequirement requirement, String path,
                                                 Map<String, JwtSpec.Provider> providers, Problems problems) {
    return switch (requirement.getRequiresTypeCase()) {
      case PROVIDER_NAME -> {
        if (!providers.containsKey(requirement.getProviderName())) {
          problems.error(path + ".provider_name", requirement.getProviderName() + " (expected: one of "
              + providers.keySet() + ")");
        }
        yield new JwtSpec.Requirement.ProviderName(requirement.getProviderName());
      }
      case REQUIRES_ANY -> {
        List<JwtSpec.Requirement> any = new ArrayList<>();
        var list = requirement.getRequiresAny().getRequirementsList();
        for (int i = 0; i < list.size(); i++) {
          any.add(requirement(list.get(i), path + ".requires_any.requirements[" + i + "]", providers, problems));
        }
        yield new JwtSpec.Requirement.Any(List.copyOf(any));
      }
      case REQUIRES_ALL -> {
        List<JwtSpec.Requirement> all = new ArrayList<>();
        var list = requirement.getRequiresAll().getRequirementsList();
        for (int i = 0; i < list.size(); i++) {
          all.add(requirement(list.get(i), path + ".requires_all.requirements[" + i + "]", providers, problems));
        }
        yield new JwtSpec.Requirement.All(List.copyOf(all));
      }
      case ALLOW_MISSING -> new JwtSpec.Requirement.AllowMissing();
      case ALLOW_MISSING_OR_FAILED -> new JwtSpec.Requirement.AllowMissingOrFailed();
      default -> {
        problems.unsupported(path, "requirement " + requirement.getRequiresTypeCase()
            + " (expected: provider_name, requires_any, requires_all, allow_missing, allow_missing_or_failed)");
        yield new JwtSpec.Requirement.AllowMissingOrFailed();
      }
    };
  }

  static RbacSpec rbac(RBAC rbac, boolean shadow, String path, Problems problems) {
    Protos.allowOnly(rbac, path, problems, Set.of("action", "policies"));
    RbacSpec.Action action = switch (rbac.getAction()) {
      case ALLOW -> RbacSpec.Action.ALLOW;
      case DENY -> RbacSpec.Action.DENY;
      case LOG -> RbacSpec.Action.LOG;
      default -> {
        problems.unsupported(path + ".action", rbac.getAction() + " (expected: ALLOW, DENY or LOG)");
        yield RbacSpec.Action.DENY;
      }
    };
    Map<String, RbacSpec.Policy> policies = new LinkedHashMap<>();
    for (Map.Entry<String, Policy> entry : new TreeMap<>(rbac.getPoliciesMap()).entrySet()) {
      String at = path + ".policies[" + entry.getKey() + "]";
      Policy policy = entry.getValue();
      Protos.allowOnly(policy, at, problems, Set.of("permissions", "principals"));
      List<RbacSpec.Permission> permissions = new ArrayList<>();
      for (int i = 0; i < policy.getPermissionsCount(); i++) {
        permissions.add(permission(policy.getPermissions(i), at + ".permissions[" + i + "]", problems));
      }
      List<RbacSpec.Principal> principals = new ArrayList<>();
      for (int i = 0; i < policy.getPrincipalsCount(); i++) {
        principals.add(principal(policy.getPrincipals(i), at + ".principals[" + i + "]", problems));
      }
      policies.put(entry.getKey(), new RbacSpec.Policy(List.copyOf(permissions), List.copyOf(principals)));
    }
    return new RbacSpec(action, java.util.Collections.unmodifiableMap(policies), shadow);
  }

  private static RbacSpec.Permission permission(Permission permission, String path, Problems problems) {
    return switch (permission.getRuleCase()) {
      case ANY -> new RbacSpec.Permission.Any();
      case AND_RULES -> {
        List<RbacSpec.Permission> rules = new ArrayList<>();
        var list = permission.getAndRules().getRulesList();
        for (int i = 0; i < list.size(); i++) {
          rules.add(permission(list.get(i), path + ".and_rules.rules[" + i + "]", problems));
        }
        yield new RbacSpec.Permission.And(List.copyOf(rules));
      }
      case OR_RULES -> {
        List<RbacSpec.Permission> rules = new ArrayList<>();
        var list = permission.getOrRules().getRulesList();
        for (int i = 0; i < list.size(); i++) {
          rules.add(permission(list.get(i), path + ".or_rules.rules[" + i + "]", problems));
        }
        yield new RbacSpec.Permission.Or(List.copyOf(rules));
      }
      case NOT_RULE -> new RbacSpec.Permission.Not(permission(permission.getNotRule(), path + ".not_rule",
          problems));
      case HEADER -> new RbacSpec.Permission.Header(MatcherCompiler.header(permission.getHeader(),
          path + ".header", problems));
      case URL_PATH -> new RbacSpec.Permission.UrlPath(MatcherCompiler.string(permission.getUrlPath().getPath(),
          path + ".url_path.path", problems));
      case DESTINATION_PORT -> new RbacSpec.Permission.DestinationPort(permission.getDestinationPort());
      case DESTINATION_IP -> new RbacSpec.Permission.DestinationIp(MatcherCompiler.cidr(
          permission.getDestinationIp(), path + ".destination_ip", problems));
      case REQUESTED_SERVER_NAME -> new RbacSpec.Permission.RequestedServerName(MatcherCompiler.string(
          permission.getRequestedServerName(), path + ".requested_server_name", problems));
      case METADATA -> new RbacSpec.Permission.Metadata(MatcherCompiler.metadata(permission.getMetadata(),
          path + ".metadata", problems));
      default -> {
        problems.unsupported(path, "RBAC permission " + permission.getRuleCase());
        yield new RbacSpec.Permission.Not(new RbacSpec.Permission.Any());
      }
    };
  }

  private static RbacSpec.Principal principal(Principal principal, String path, Problems problems) {
    return switch (principal.getIdentifierCase()) {
      case ANY -> new RbacSpec.Principal.Any();
      case AND_IDS -> {
        List<RbacSpec.Principal> ids = new ArrayList<>();
        var list = principal.getAndIds().getIdsList();
        for (int i = 0; i < list.size(); i++) {
          ids.add(principal(list.get(i), path + ".and_ids.ids[" + i + "]", problems));
        }
        yield new RbacSpec.Principal.And(List.copyOf(ids));
      }
      case OR_IDS -> {
        List<RbacSpec.Principal> ids = new ArrayList<>();
        var list = principal.getOrIds().getIdsList();
        for (int i = 0; i < list.size(); i++) {
          ids.add(principal(list.get(i), path + ".or_ids.ids[" + i + "]", problems));
        }
        yield new RbacSpec.Principal.Or(List.copyOf(ids));
      }
      case NOT_ID -> new RbacSpec.Principal.Not(principal(principal.getNotId(), path + ".not_id", problems));
      case AUTHENTICATED -> new RbacSpec.Principal.Authenticated(principal.getAuthenticated().hasPrincipalName()
          ? MatcherCompiler.string(principal.getAuthenticated().getPrincipalName(),
              path + ".authenticated.principal_name", problems)
          : null);
      case DIRECT_REMOTE_IP -> new RbacSpec.Principal.DirectRemoteIp(MatcherCompiler.cidr(
          principal.getDirectRemoteIp(), path + ".direct_remote_ip", problems));
      case REMOTE_IP -> new RbacSpec.Principal.RemoteIp(MatcherCompiler.cidr(principal.getRemoteIp(),
          path + ".remote_ip", problems));
      case SOURCE_IP -> new RbacSpec.Principal.RemoteIp(MatcherCompiler.cidr(principal.getSourceIp(),
          path + ".source_ip", problems));
      case HEADER -> new RbacSpec.Principal.Header(MatcherCompiler.header(principal.getHeader(),
          path + ".header", problems));
      case URL_PATH -> new RbacSpec.Principal.UrlPath(MatcherCompiler.string(principal.getUrlPath().getPath(),
          path + ".url_path.path", problems));
      case METADATA -> new RbacSpec.Principal.Metadata(MatcherCompiler.metadata(principal.getMetadata(),
          path + ".metadata", problems));
      default -> {
        problems.unsupported(path, "RBAC principal " + principal.getIdentifierCase());
        yield new RbacSpec.Principal.Not(new RbacSpec.Principal.Any());
      }
    };
  }

  static ExtAuthzSpec extAuthz(ExtAuthz config, String path, Problems problems) {
    Protos.allowOnly(config, path, problems, Set.of("http_service", "failure_mode_allow", "status_on_error",
        "filter_enabled_metadata", "transport_api_version", "stat_prefix", "include_peer_certificate"));
    if (!config.hasHttpService()) {
      problems.unsupported(path, "ext_authz without http_service (expected: an HTTP authorizer; gRPC "
          + "authorizers are not implemented)");
      return null;
    }
    var service = config.getHttpService();
    Protos.allowOnly(service, path + ".http_service", problems, Set.of("server_uri", "path_prefix",
        "authorization_request", "authorization_response"));
    var uri = service.getServerUri();
    String authority;
    try {
      authority = URI.create(uri.getUri()).getAuthority();
    } catch (IllegalArgumentException e) {
      authority = null;
    }
    if (authority == null) {
      problems.error(path + ".http_service.server_uri.uri", uri.getUri() + " (expected: http://host:port)");
    }
    if (uri.getCluster().isEmpty()) {
      problems.error(path + ".http_service.server_uri.cluster", "empty (expected: the authorizer's cluster)");
    }
    Duration timeout = uri.hasTimeout() ? Protos.duration(true, uri.getTimeout()) : Duration.ofMillis(200);
    List<StringMatch> allowed = service.hasAuthorizationRequest() && service.getAuthorizationRequest()
        .hasAllowedHeaders() ? strings(service.getAuthorizationRequest().getAllowedHeaders(),
            path + ".http_service.authorization_request.allowed_headers", problems) : List.of();
    List<StringMatch> upstream = service.hasAuthorizationResponse() && service.getAuthorizationResponse()
        .hasAllowedUpstreamHeaders() ? strings(service.getAuthorizationResponse().getAllowedUpstreamHeaders(),
            path + ".http_service.authorization_response.allowed_upstream_headers", problems) : List.of();
    int statusOnError = config.hasStatusOnError() && config.getStatusOnError().getCodeValue() != 0
        ? config.getStatusOnError().getCodeValue() : 403;
    MetadataMatch enabled = config.hasFilterEnabledMetadata() ? MatcherCompiler.metadata(
        config.getFilterEnabledMetadata(), path + ".filter_enabled_metadata", problems) : null;
    return new ExtAuthzSpec(uri.getCluster(), authority == null ? "" : authority, service.getPathPrefix(), timeout,
        allowed, upstream, config.getFailureModeAllow(), statusOnError, enabled);
  }

  private static List<StringMatch> strings(ListStringMatcher list, String path, Problems problems) {
    List<StringMatch> matches = new ArrayList<>();
    for (int i = 0; i < list.getPatternsCount(); i++) {
      StringMatch match = MatcherCompiler.string(list.getPatterns(i), path + ".patterns[" + i + "]", problems);
      if (match != null) {
        matches.add(match);
      }
    }
    return List.copyOf(matches);
  }
}
