package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.gateway.eastwest.ResourceType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * RDS for the east-west gateway's two HTTP uses: {@code outbound.15001} (Host → remote service cluster) and
 * {@code inbound.<port>} (terminated HTTP ports). The full L7 engine (rewrites, redirects, header mutation, fault
 * injection) is the ingress gateway's; routes asking for it are refused so nothing is silently ignored.
 */
final class RouteTranslator {

  /** Envoy's route timeout default; 0 disables. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private RouteTranslator() {
  }

  static Map<String, RouteTable> translate(List<RouteConfiguration> configurations, Problems problems) {
    Map<String, RouteTable> tables = new HashMap<>();
    for (RouteConfiguration configuration : configurations) {
      Scope scope = problems.in(ResourceType.ROUTE, configuration.getName());
      if (configuration.getName().isEmpty()) {
        scope.field("name").error("empty (expected: the RDS name, e.g. outbound.15001)");
        continue;
      }
      if (tables.containsKey(configuration.getName())) {
        scope.error("listed twice (expected: unique names)");
        continue;
      }
      RouteTable table = table(configuration, scope);
      if (table != null) {
        tables.put(configuration.getName(), table);
      }
    }
    return tables;
  }

  static RouteTable table(RouteConfiguration configuration, Scope scope) {
    int before = scope.problemCount();
    scope.allowOnly(configuration, Set.of("name", "virtual_hosts", "validate_clusters"));
    List<VirtualHostConfig> hosts = new ArrayList<>();
    Set<String> domains = new HashSet<>();
    for (int i = 0; i < configuration.getVirtualHostsCount(); i++) {
      VirtualHost host = configuration.getVirtualHosts(i);
      Scope at = scope.index("virtual_hosts", i);
      at.allowOnly(host, Set.of("name", "domains", "routes"));
      for (String domain : host.getDomainsList()) {
        if (!domains.add(domain.toLowerCase())) {
          at.field("domains").error(domain + " is listed by two virtual hosts (expected: each domain once;"
              + " Envoy rejects this too)");
        }
        if (domain.indexOf('*') > 0 && domain.indexOf('*') < domain.length() - 1) {
          at.field("domains").error(domain + " (expected: a wildcard only as the first or last character)");
        }
      }
      List<RouteConfig> routes = new ArrayList<>();
      for (int j = 0; j < host.getRoutesCount(); j++) {
        RouteConfig route = route(host.getRoutes(j), at.index("routes", j));
        if (route != null) {
          routes.add(route);
        }
      }
      hosts.add(new VirtualHostConfig(host.getName(), host.getDomainsList(), routes));
    }
    return scope.problemCount() == before ? new RouteTable(configuration.getName(), hosts) : null;
  }

  private static RouteConfig route(Route route, Scope scope) {
    scope.allowOnly(route, Set.of("name", "match", "route", "decorator", "metadata"));
    if (!route.hasRoute()) {
      scope.error("no route action (expected: route {cluster | weighted_clusters}; redirect and direct_response are"
          + " " + Scope.UNSUPPORTED + ")");
      return null;
    }
    RouteMatch match = route.getMatch();
    Scope matchScope = scope.field("match");
    matchScope.allowOnly(match, Set.of("prefix", "path", "safe_regex", "case_sensitive"));
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    RouteConfig.PathKind kind;
    String path;
    Pattern regex = null;
    switch (match.getPathSpecifierCase()) {
      case PREFIX -> {
        kind = RouteConfig.PathKind.PREFIX;
        path = match.getPrefix();
      }
      case PATH -> {
        kind = RouteConfig.PathKind.PATH;
        path = match.getPath();
      }
      case SAFE_REGEX -> {
        kind = RouteConfig.PathKind.REGEX;
        path = match.getSafeRegex().getRegex();
        try {
          regex = Pattern.compile(path, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
          matchScope.field("safe_regex.regex").error(path + " (expected: a valid regex: " + e.getDescription() + ")");
          return null;
        }
      }
      default -> {
        matchScope.error("no path specifier (expected: prefix, path or safe_regex)");
        return null;
      }
    }
    RouteAction action = route.getRoute();
    Scope actionScope = scope.field("route");
    actionScope.allowOnly(action, Set.of("cluster", "weighted_clusters", "timeout", "retry_policy"));
    List<RouteConfig.WeightedCluster> clusters = new ArrayList<>();
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> clusters.add(new RouteConfig.WeightedCluster(action.getCluster(), 1));
      case WEIGHTED_CLUSTERS -> {
        var weighted = action.getWeightedClusters();
        Scope weightedScope = actionScope.field("weighted_clusters");
        weightedScope.allowOnly(weighted, Set.of("clusters", "total_weight"));
        for (int i = 0; i < weighted.getClustersCount(); i++) {
          var cluster = weighted.getClusters(i);
          Scope at = weightedScope.index("clusters", i);
          at.allowOnly(cluster, Set.of("name", "weight"));
          if (cluster.getName().isEmpty()) {
            at.field("name").error("empty (expected: a cluster name)");
          }
          clusters.add(new RouteConfig.WeightedCluster(cluster.getName(), cluster.getWeight().getValue()));
        }
        if (clusters.isEmpty()) {
          weightedScope.field("clusters").error("[] (expected: at least one cluster)");
          return null;
        }
      }
      default -> {
        actionScope.error("no cluster (expected: cluster or weighted_clusters)");
        return null;
      }
    }
    Duration timeout = action.hasTimeout() ? Scope.duration(action.getTimeout()) : DEFAULT_TIMEOUT;
    RetryPolicyConfig retry = action.hasRetryPolicy()
        ? retry(action.getRetryPolicy(), actionScope.field("retry_policy")) : RetryPolicyConfig.NONE;
    if (retry == null) {
      return null;
    }
    return new RouteConfig(route.getName(), kind, path, regex, caseSensitive, clusters, timeout, retry);
  }

  private static RetryPolicyConfig retry(RetryPolicy policy, Scope scope) {
    // retry_host_predicate (previous_hosts) and host_selection_retry_max_attempts are what Istio always sets; the
    // forwarder always avoids hosts already tried, so they are accepted as already honoured.
    scope.allowOnly(policy, Set.of("retry_on", "num_retries", "per_try_timeout", "retry_back_off",
        "retriable_status_codes", "retry_host_predicate", "host_selection_retry_max_attempts"));
    Set<String> retryOn = new HashSet<>();
    for (String condition : policy.getRetryOn().split(",")) {
      String trimmed = condition.trim();
      if (!trimmed.isEmpty()) {
        retryOn.add(trimmed);
      }
    }
    int retries = policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1;
    Duration perTry = policy.hasPerTryTimeout() ? Scope.duration(policy.getPerTryTimeout()) : Duration.ZERO;
    return new RetryPolicyConfig(retries, retryOn, new HashSet<>(policy.getRetriableStatusCodesList()), perTry);
  }
}
