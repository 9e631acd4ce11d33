package io.meshfed.control.plane.translate.security;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.meshfed.control.plane.istio.AuthorizationPolicy;
import io.meshfed.control.plane.istio.AuthorizationPolicyIndex.Applicable;
import io.meshfed.control.plane.translate.ExtAuthzProvider;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.model.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * AuthorizationPolicies → Envoy filters, in Istio's order (Istio's "Authorization Policy" reference: CUSTOM, then
 * DENY, then ALLOW; AUDIT only marks): {@code envoy.filters.http.rbac} with shadow rules marking the requests a CUSTOM
 * policy covers and {@code envoy.filters.http.ext_authz} enabled for them; {@code envoy.filters.http.rbac} LOG
 * (AUDIT), DENY, ALLOW. Without an ALLOW policy no ALLOW filter is added (allow what is not denied); with ALLOW
 * policies that translate to no rule, the ALLOW filter has no policy and so denies everything, as Istio's empty
 * ALLOW policy does.
 */
public final class AuthorizationFilters {

  public static final String HTTP_RBAC = "envoy.filters.http.rbac";
  public static final String NETWORK_RBAC = "envoy.filters.network.rbac";
  public static final String EXT_AUTHZ = "envoy.filters.http.ext_authz";
  /** Istio's names for the CUSTOM action's marking. */
  static final String EXT_AUTHZ_STAT_PREFIX = "istio_ext_authz_";
  static final String EXT_AUTHZ_POLICY_PREFIX = "istio-ext-authz-";

  /** Resolves an authorizer's host and port to a cluster name the group will carry. */
  public interface ClusterResolver {
    String cluster(AuthorizationPolicy policy, String host, int port);
  }

  private AuthorizationFilters() {
  }

  /** The HTTP filters for the policies that apply to a gateway workload. */
  public static List<HttpFilter> http(Applicable applicable, List<String> trustDomains,
      Map<String, ExtAuthzProvider> providers, ClusterResolver clusters, Problems problems) {
    List<HttpFilter> filters = new ArrayList<>();
    List<AuthorizationPolicy> unresolvedCustom = new ArrayList<>();
    custom(applicable.custom(), trustDomains, providers, clusters, problems, filters, unresolvedCustom);
    IntPredicate noPorts = port -> false;
    if (!applicable.audit().isEmpty()) {
      filters.add(httpRbac(rules(applicable.audit(), trustDomains, false, noPorts, problems,
          RBAC.Action.LOG)));
    }
    List<AuthorizationPolicy> deny = new ArrayList<>(unresolvedCustom);
    deny.addAll(applicable.deny());
    if (!deny.isEmpty()) {
      filters.add(httpRbac(rules(deny, trustDomains, false, noPorts, problems, RBAC.Action.DENY)));
    }
    if (!applicable.allow().isEmpty()) {
      filters.add(httpRbac(rules(applicable.allow(), trustDomains, false, noPorts, problems, RBAC.Action.ALLOW)));
    }
    return filters;
  }

  /**
   * Connection-level RBAC for the east-west gateway's terminating chains: DENY then ALLOW, with the workload's
   * ports evaluated here ({@code portMatches}). CUSTOM and AUDIT cannot apply at L4 and are reported.
   */
  public static List<Filter> network(Applicable applicable, List<String> trustDomains, IntPredicate portMatches,
      String statPrefix, Problems problems) {
    for (AuthorizationPolicy policy : applicable.custom()) {
      problems.report(Kind.UNSUPPORTED, policy, "spec.action", "CUSTOM policies cannot apply at the east-west "
          + "gateway (connection-level checks only); ignored for traffic from other clusters", "enforce it at the "
          + "workload, or with DENY/ALLOW rules on principals and namespaces");
    }
    for (AuthorizationPolicy policy : applicable.audit()) {
      problems.report(Kind.UNSUPPORTED, policy, "spec.action", "AUDIT policies are not applied at the east-west "
          + "gateway", "none needed: AUDIT only marks requests");
    }
    List<Filter> filters = new ArrayList<>();
    if (!applicable.deny().isEmpty()) {
      filters.add(networkRbac(rules(applicable.deny(), trustDomains, true, portMatches, problems, RBAC.Action.DENY),
          statPrefix));
    }
    if (!applicable.allow().isEmpty()) {
      filters.add(networkRbac(rules(applicable.allow(), trustDomains, true, portMatches, problems,
          RBAC.Action.ALLOW), statPrefix));
    }
    return filters;
  }

  /** Istio's policy names: {@code ns[<namespace>]-policy[<name>]-rule[<index>]}. */
  static String policyName(AuthorizationPolicy policy, int rule) {
    return "ns[" + policy.meta().namespace() + "]-policy[" + policy.meta().name() + "]-rule[" + rule + "]";
  }

  private static RBAC rules(List<AuthorizationPolicy> policies, List<String> trustDomains, boolean l4Only,
      IntPredicate ports, Problems problems, RBAC.Action action) {
    Map<String, Policy> translated = new LinkedHashMap<>();
    for (AuthorizationPolicy policy : policies) {
      RbacRules.Context ctx = new RbacRules.Context(policy, trustDomains, l4Only, ports, problems);
      for (int i = 0; i < policy.rules().size(); i++) {
        Optional<Policy> rule = RbacRules.rule(policy.rules().get(i), i, ctx);
        if (rule.isPresent()) {
          translated.put(policyName(policy, i), rule.get());
        }
      }
    }
    return RBAC.newBuilder().setAction(action).putAllPolicies(translated).build();
  }

  private static HttpFilter httpRbac(RBAC rules) {
    return HttpFilter.newBuilder().setName(HTTP_RBAC).setTypedConfig(Any.pack(
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rules).build())).build();
  }

  private static Filter networkRbac(RBAC rules, String statPrefix) {
    return Filter.newBuilder().setName(NETWORK_RBAC).setTypedConfig(Any.pack(
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder().setRules(rules)
            .setStatPrefix(statPrefix).build())).build();
  }

  /**
   * CUSTOM: Istio marks the requests the policies' rules match with an RBAC filter's shadow rules, and enables the
   * external authorizer only for them ({@code filter_enabled_metadata}). One provider per workload, as Istio allows;
   * a policy naming an unknown provider denies what its rules match (fail closed, as Istio does).
   */
  private static void custom(List<AuthorizationPolicy> policies, List<String> trustDomains,
      Map<String, ExtAuthzProvider> providers, ClusterResolver clusters, Problems problems, List<HttpFilter> filters,
      List<AuthorizationPolicy> unresolved) {
    ExtAuthzProvider chosen = null;
    List<AuthorizationPolicy> covered = new ArrayList<>();
    for (AuthorizationPolicy policy : policies) {
      String name = policy.provider().orElse("");
      ExtAuthzProvider provider = providers.get(name);
      if (provider == null) {
        problems.report(Kind.UNKNOWN_PROVIDER, policy, "spec.provider.name", "\"" + name + "\" is not an "
            + "extension provider of this mesh (known: " + String.join(", ", new java.util.TreeSet<>(
            providers.keySet())) + "); the requests its rules match are denied", "define the provider in the "
            + "control plane's settings (meshConfig.extensionProviders), or fix the name");
        unresolved.add(policy);
        continue;
      }
      if (chosen != null && !chosen.name().equals(provider.name())) {
        problems.report(Kind.UNSUPPORTED, policy, "spec.provider.name", "a second provider (\"" + name
            + "\") for one workload; Istio allows one, \"" + chosen.name() + "\" is used and this policy's requests "
            + "are denied", "use one provider per gateway");
        unresolved.add(policy);
        continue;
      }
      chosen = provider;
      covered.add(policy);
    }
    if (chosen == null) {
      return;
    }
    Map<String, Policy> shadow = new LinkedHashMap<>();
    for (AuthorizationPolicy policy : covered) {
      RbacRules.Context ctx = new RbacRules.Context(policy, trustDomains, false, port -> false, problems);
      for (int i = 0; i < policy.rules().size(); i++) {
        final int index = i;
        RbacRules.rule(policy.rules().get(i), i, ctx).ifPresent(p -> shadow.put(EXT_AUTHZ_POLICY_PREFIX
            + policyName(policy, index), p));
      }
    }
    filters.add(HttpFilter.newBuilder().setName(HTTP_RBAC).setTypedConfig(Any.pack(
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder()
            .setShadowRules(RBAC.newBuilder().setAction(RBAC.Action.ALLOW).putAllPolicies(shadow))
            .setShadowRulesStatPrefix(EXT_AUTHZ_STAT_PREFIX).build())).build());
    String cluster = clusters.cluster(covered.get(0), chosen.service(), chosen.port());
    HttpService.Builder service = HttpService.newBuilder()
        .setServerUri(HttpUri.newBuilder().setUri("http://" + chosen.service() + ":" + chosen.port())
            .setCluster(cluster).setTimeout(Durations.fromNanos(chosen.timeout().toNanos())))
        .setPathPrefix(chosen.pathPrefix());
    if (!chosen.includeRequestHeadersInCheck().isEmpty()) {
      service.setAuthorizationRequest(AuthorizationRequest.newBuilder().setAllowedHeaders(exact(
          chosen.includeRequestHeadersInCheck())));
    }
    if (!chosen.headersToUpstreamOnAllow().isEmpty()) {
      service.setAuthorizationResponse(AuthorizationResponse.newBuilder().setAllowedUpstreamHeaders(exact(
          chosen.headersToUpstreamOnAllow())));
    }
    ExtAuthz extAuthz = ExtAuthz.newBuilder()
        .setHttpService(service)
        .setTransportApiVersion(ApiVersion.V3)
        .setFailureModeAllow(chosen.failOpen())
        .setStatusOnError(HttpStatus.newBuilder().setCodeValue(chosen.statusOnError()))
        .setFilterEnabledMetadata(MetadataMatcher.newBuilder().setFilter(HTTP_RBAC)
            .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(EXT_AUTHZ_STAT_PREFIX
                + "shadow_effective_policy_id"))
            .setValue(ValueMatcher.newBuilder().setStringMatch(StringMatcher.newBuilder()
                .setPrefix(EXT_AUTHZ_POLICY_PREFIX))))
        .build();
    filters.add(HttpFilter.newBuilder().setName(EXT_AUTHZ).setTypedConfig(Any.pack(extAuthz)).build());
  }

  private static ListStringMatcher exact(List<String> headers) {
    ListStringMatcher.Builder list = ListStringMatcher.newBuilder();
    for (String header : headers) {
      list.addPatterns(StringMatcher.newBuilder().setExact(header.toLowerCase(java.util.Locale.ROOT))
          .setIgnoreCase(true));
    }
    return list.build();
  }
}
