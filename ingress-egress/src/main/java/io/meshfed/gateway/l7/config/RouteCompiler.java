package io.meshfed.gateway.l7.config;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.meshfed.gateway.l7.routing.CorsSpec;
import io.meshfed.gateway.l7.routing.FaultSpec;
import io.meshfed.gateway.l7.routing.FilterOverrides;
import io.meshfed.gateway.l7.routing.Fraction;
import io.meshfed.gateway.l7.routing.HashPolicySpec;
import io.meshfed.gateway.l7.routing.HeaderMutations;
import io.meshfed.gateway.l7.routing.MirrorSpec;
import io.meshfed.gateway.l7.routing.RetrySpec;
import io.meshfed.gateway.l7.routing.RouteAction;
import io.meshfed.gateway.l7.routing.RouteMatch;
import io.meshfed.gateway.l7.routing.RouteSpec;
import io.meshfed.gateway.l7.routing.RouteTable;
import io.meshfed.gateway.l7.routing.StringMatch;
import io.meshfed.gateway.l7.routing.VirtualHostSpec;
import io.meshfed.gateway.l7.routing.WeightedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Compiles an RDS {@code RouteConfiguration} (profile: "Routes (RDS), ingress and egress"). */
final class RouteCompiler {

  static final String FAULT_FILTER = "envoy.filters.http.fault";
  static final String CORS_FILTER = "envoy.filters.http.cors";
  private static final String FAULT_TYPE = "envoy.extensions.filters.http.fault.v3.HTTPFault";
  private static final String CORS_TYPE = "envoy.extensions.filters.http.cors.v3.CorsPolicy";
  /** Envoy's route timeout when unset; Istio always sends one (0s for none). */
  private static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);

  private RouteCompiler() {
  }

  static RouteTable compile(RouteConfiguration config, Problems problems) {
    Protos.allowOnly(config, "", problems, Set.of("name", "virtual_hosts", "request_headers_to_add",
        "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "validate_clusters",
        "max_direct_response_body_size_bytes", "ignore_port_in_host_matching"));
    List<VirtualHostSpec> hosts = new ArrayList<>();
    Set<String> domains = new HashSet<>();
    for (int i = 0; i < config.getVirtualHostsCount(); i++) {
      VirtualHost host = config.getVirtualHosts(i);
      String path = "virtual_hosts[" + i + "]";
      VirtualHostSpec compiled = virtualHost(host, path, problems);
      for (String domain : compiled.domains()) {
        if (!domains.add(domain)) {
          problems.error(path + ".domains", "domain " + domain
              + " is listed by two virtual hosts (expected: each domain in one virtual host)");
        }
      }
      hosts.add(compiled);
    }
    return RouteTable.of(config.getName(), hosts,
        mutations(config.getRequestHeadersToAddList(), config.getRequestHeadersToRemoveList(),
            "request_headers_to_add", problems),
        mutations(config.getResponseHeadersToAddList(), config.getResponseHeadersToRemoveList(),
            "response_headers_to_add", problems));
  }

  private static VirtualHostSpec virtualHost(VirtualHost host, String path, Problems problems) {
    Protos.allowOnly(host, path, problems, Set.of("name", "domains", "routes", "require_tls",
        "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add",
        "response_headers_to_remove", "typed_per_filter_config", "retry_policy", "include_request_attempt_count"));
    List<String> domains = new ArrayList<>();
    for (int i = 0; i < host.getDomainsCount(); i++) {
      String domain = host.getDomains(i).toLowerCase(Locale.ROOT);
      if (domain.isEmpty() || (domain.indexOf('*') > 0 && domain.indexOf('*') < domain.length() - 1)
          || (domain.length() > 1 && domain.startsWith("*") && domain.endsWith("*"))) {
        problems.error(path + ".domains[" + i + "]", "'" + domain
            + "' (expected: a host, host:port, *.suffix, prefix.* or *)");
      }
      domains.add(domain);
    }
    if (domains.isEmpty()) {
      problems.error(path + ".domains", "empty (expected: at least one domain)");
    }
    RetryPolicy vhostRetry = host.hasRetryPolicy() ? host.getRetryPolicy() : null;
    List<RouteSpec> routes = new ArrayList<>();
    for (int i = 0; i < host.getRoutesCount(); i++) {
      routes.add(route(host.getRoutes(i), vhostRetry, path + ".routes[" + i + "]", problems));
    }
    VirtualHostSpec.TlsRequirement tls = switch (host.getRequireTls()) {
      case NONE -> VirtualHostSpec.TlsRequirement.NONE;
      case EXTERNAL_ONLY -> VirtualHostSpec.TlsRequirement.EXTERNAL_ONLY;
      case ALL -> VirtualHostSpec.TlsRequirement.ALL;
      default -> {
        problems.error(path + ".require_tls", host.getRequireTls() + " (expected: NONE, EXTERNAL_ONLY or ALL)");
        yield VirtualHostSpec.TlsRequirement.NONE;
      }
    };
    return new VirtualHostSpec(host.getName(), List.copyOf(domains), List.copyOf(routes), tls,
        mutations(host.getRequestHeadersToAddList(), host.getRequestHeadersToRemoveList(),
            path + ".request_headers_to_add", problems),
        mutations(host.getResponseHeadersToAddList(), host.getResponseHeadersToRemoveList(),
            path + ".response_headers_to_add", problems),
        perFilter(host.getTypedPerFilterConfigMap(), path + ".typed_per_filter_config", problems));
  }

  private static RouteSpec route(Route route, RetryPolicy vhostRetry, String path, Problems problems) {
    Protos.allowOnly(route, path, problems, Set.of("name", "match", "route", "redirect", "direct_response",
        "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add",
        "response_headers_to_remove", "typed_per_filter_config", "decorator", "metadata"));
    RouteMatch match = match(route.getMatch(), path + ".match", problems);
    RouteAction action = switch (route.getActionCase()) {
      case ROUTE -> forward(route.getRoute(), vhostRetry, path + ".route", problems);
      case REDIRECT -> redirect(route.getRedirect(), match, path + ".redirect", problems);
      case DIRECT_RESPONSE -> direct(route.getDirectResponse(), path + ".direct_response", problems);
      default -> {
        problems.error(path, "no action (expected: route, redirect or direct_response)");
        yield null;
      }
    };
    if (action instanceof RouteAction.Forward forward && forward.prefixRewrite() != null
        && match != null && match.kind() == RouteMatch.PathKind.REGEX) {
      problems.error(path + ".route.prefix_rewrite",
          "prefix_rewrite with a safe_regex match (expected: regex_rewrite, or a prefix/path match)");
    }
    return new RouteSpec(route.getName(), match, action,
        mutations(route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList(),
            path + ".request_headers_to_add", problems),
        mutations(route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList(),
            path + ".response_headers_to_add", problems),
        perFilter(route.getTypedPerFilterConfigMap(), path + ".typed_per_filter_config", problems));
  }

  static RouteMatch match(io.envoyproxy.envoy.config.route.v3.RouteMatch match, String path, Problems problems) {
    Protos.allowOnly(match, path, problems, Set.of("prefix", "path", "safe_regex", "path_separated_prefix",
        "case_sensitive", "headers", "query_parameters", "grpc"));
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    RouteMatch.PathKind kind;
    String value;
    Pattern regex = null;
    switch (match.getPathSpecifierCase()) {
      case PREFIX -> {
        kind = RouteMatch.PathKind.PREFIX;
        value = match.getPrefix();
      }
      case PATH -> {
        kind = RouteMatch.PathKind.PATH;
        value = match.getPath();
      }
      case SAFE_REGEX -> {
        kind = RouteMatch.PathKind.REGEX;
        value = match.getSafeRegex().getRegex();
        regex = MatcherCompiler.regex(match.getSafeRegex(), path + ".safe_regex", problems);
        if (regex != null && !caseSensitive) {
          regex = Pattern.compile(regex.pattern(), Pattern.CASE_INSENSITIVE);
        }
      }
      case PATH_SEPARATED_PREFIX -> {
        kind = RouteMatch.PathKind.PATH_SEPARATED_PREFIX;
        value = match.getPathSeparatedPrefix();
      }
      default -> {
        problems.error(path, "no path rule (expected: prefix, path, safe_regex or path_separated_prefix)");
        kind = RouteMatch.PathKind.PREFIX;
        value = "/";
      }
    }
    return new RouteMatch(kind, value, regex, caseSensitive,
        MatcherCompiler.headers(match.getHeadersList(), path + ".headers", problems),
        MatcherCompiler.queries(match.getQueryParametersList(), path + ".query_parameters", problems),
        match.hasGrpc());
  }

  private static RouteAction.Forward forward(io.envoyproxy.envoy.config.route.v3.RouteAction action,
                                             RetryPolicy vhostRetry, String path, Problems problems) {
    Protos.allowOnly(action, path, problems, Set.of("cluster", "weighted_clusters", "timeout", "retry_policy",
        "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "request_mirror_policies", "hash_policy",
        "idle_timeout", "max_stream_duration", "upgrade_configs"));
    List<WeightedCluster> clusters = new ArrayList<>();
    int total = 0;
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> {
        clusters.add(new WeightedCluster(action.getCluster(), 1, HeaderMutations.NONE, HeaderMutations.NONE));
        total = 1;
      }
      case WEIGHTED_CLUSTERS -> {
        var weighted = action.getWeightedClusters();
        String at = path + ".weighted_clusters";
        Protos.allowOnly(weighted, at, problems, Set.of("clusters", "total_weight"));
        for (int i = 0; i < weighted.getClustersCount(); i++) {
          var entry = weighted.getClusters(i);
          String entryPath = at + ".clusters[" + i + "]";
          Protos.allowOnly(entry, entryPath, problems, Set.of("name", "weight", "request_headers_to_add",
              "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"));
          int weight = entry.hasWeight() ? entry.getWeight().getValue() : 0;
          if (weight == 0) {
            continue;
          }
          total += weight;
          clusters.add(new WeightedCluster(entry.getName(), weight,
              mutations(entry.getRequestHeadersToAddList(), entry.getRequestHeadersToRemoveList(),
                  entryPath + ".request_headers_to_add", problems),
              mutations(entry.getResponseHeadersToAddList(), entry.getResponseHeadersToRemoveList(),
                  entryPath + ".response_headers_to_add", problems)));
        }
        if (total <= 0) {
          problems.error(at, "total weight 0 (expected: weights summing to more than 0, Istio sends 100)");
        }
      }
      default -> problems.unsupported(path, "cluster specifier " + action.getClusterSpecifierCase()
          + " (expected: cluster or weighted_clusters)");
    }
    Duration timeout = Protos.durationZeroDisables(action.hasTimeout(), action.getTimeout(),
        DEFAULT_ROUTE_TIMEOUT);
    if (action.hasMaxStreamDuration()) {
      var max = action.getMaxStreamDuration();
      // Istio sends zero durations on every route; only non-zero limits would need enforcing.
      if ((max.hasMaxStreamDuration() && !isZero(max.getMaxStreamDuration()))
          || (max.hasGrpcTimeoutHeaderMax() && !isZero(max.getGrpcTimeoutHeaderMax()))
          || max.hasGrpcTimeoutHeaderOffset()) {
        problems.unsupported(path + ".max_stream_duration", "non-zero max_stream_duration");
      }
    }
    for (int i = 0; i < action.getUpgradeConfigsCount(); i++) {
      String type = action.getUpgradeConfigs(i).getUpgradeType().toLowerCase(Locale.ROOT);
      if (!type.equals("websocket")) {
        problems.unsupported(path + ".upgrade_configs[" + i + "]", "upgrade type " + type
            + " (expected: websocket)");
      }
    }
    RetrySpec retry = null;
    if (action.hasRetryPolicy()) {
      retry = retry(action.getRetryPolicy(), path + ".retry_policy", problems);
    } else if (vhostRetry != null) {
      retry = retry(vhostRetry, path.replaceAll("\\.routes\\[.*", "") + ".retry_policy", problems);
    }
    String prefixRewrite = action.getPrefixRewrite().isEmpty() ? null : action.getPrefixRewrite();
    Pattern regexRewrite = null;
    String substitution = null;
    if (action.hasRegexRewrite()) {
      regexRewrite = MatcherCompiler.regex(action.getRegexRewrite().getPattern(), path + ".regex_rewrite.pattern",
          problems);
      substitution = MatcherCompiler.substitution(action.getRegexRewrite().getSubstitution());
      if (prefixRewrite != null) {
        problems.error(path, "both prefix_rewrite and regex_rewrite (expected: one of them)");
      }
    }
    List<MirrorSpec> mirrors = new ArrayList<>();
    for (int i = 0; i < action.getRequestMirrorPoliciesCount(); i++) {
      var mirror = action.getRequestMirrorPolicies(i);
      String at = path + ".request_mirror_policies[" + i + "]";
      Protos.allowOnly(mirror, at, problems, Set.of("cluster", "runtime_fraction",
          "disable_shadow_host_suffix_append", "trace_sampled"));
      if (mirror.getCluster().isEmpty()) {
        problems.error(at + ".cluster", "empty (expected: the mirror's cluster name)");
      }
      Fraction fraction = mirror.hasRuntimeFraction() && mirror.getRuntimeFraction().hasDefaultValue()
          ? Protos.fraction(mirror.getRuntimeFraction().getDefaultValue()) : Fraction.ALL;
      mirrors.add(new MirrorSpec(mirror.getCluster(), fraction, !mirror.getDisableShadowHostSuffixAppend()));
    }
    List<HashPolicySpec> hashes = new ArrayList<>();
    for (int i = 0; i < action.getHashPolicyCount(); i++) {
      HashPolicySpec hash = hashPolicy(action.getHashPolicy(i), path + ".hash_policy[" + i + "]", problems);
      if (hash != null) {
        hashes.add(hash);
      }
    }
    Duration idle = action.hasIdleTimeout()
        ? Protos.durationZeroDisables(true, action.getIdleTimeout(), null) : null;
    return new RouteAction.Forward(List.copyOf(clusters), Math.max(total, 1), timeout, retry, prefixRewrite,
        regexRewrite, substitution, action.getHostRewriteLiteral().isEmpty() ? null : action.getHostRewriteLiteral(),
        List.copyOf(mirrors), List.copyOf(hashes), idle);
  }

  private static boolean isZero(com.google.protobuf.Duration duration) {
    return duration.getSeconds() == 0 && duration.getNanos() == 0;
  }

  static RetrySpec retry(RetryPolicy policy, String path, Problems problems) {
    Protos.allowOnly(policy, path, problems, Set.of("retry_on", "num_retries", "per_try_timeout", "retry_back_off",
        "retriable_status_codes", "host_selection_retry_max_attempts", "retry_host_predicate"));
    Set<RetrySpec.RetryOn> on = EnumSet.noneOf(RetrySpec.RetryOn.class);
    for (String token : policy.getRetryOn().split(",")) {
      String trimmed = token.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      RetrySpec.RetryOn condition = RetrySpec.RetryOn.parse(trimmed);
      if (condition == null) {
        problems.unsupported(path + ".retry_on", "retry condition '" + trimmed + "' (expected: 5xx, gateway-error, "
            + "reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, cancelled, "
            + "deadline-exceeded, internal, resource-exhausted, unavailable, envoy-ratelimited)");
      } else {
        on.add(condition);
      }
    }
    for (int i = 0; i < policy.getRetryHostPredicateCount(); i++) {
      String name = policy.getRetryHostPredicate(i).getName();
      if (!name.equals("envoy.retry_host_predicates.previous_hosts")) {
        problems.unsupported(path + ".retry_host_predicate[" + i + "]", "retry host predicate " + name
            + " (expected: envoy.retry_host_predicates.previous_hosts)");
      }
    }
    Set<Integer> codes = new HashSet<>(policy.getRetriableStatusCodesList());
    int retries = policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1;
    Duration perTry = Protos.durationZeroDisables(policy.hasPerTryTimeout(), policy.getPerTryTimeout(), null);
    long base = 25;
    long max = 250;
    if (policy.hasRetryBackOff()) {
      var backOff = policy.getRetryBackOff();
      Protos.allowOnly(backOff, path + ".retry_back_off", problems, Set.of("base_interval", "max_interval"));
      Duration baseInterval = Protos.duration(backOff.hasBaseInterval(), backOff.getBaseInterval());
      if (baseInterval == null || baseInterval.toMillis() < 1) {
        problems.error(path + ".retry_back_off.base_interval", baseInterval + " (expected: at least 1ms)");
      } else {
        base = baseInterval.toMillis();
      }
      Duration maxInterval = Protos.duration(backOff.hasMaxInterval(), backOff.getMaxInterval());
      max = maxInterval != null ? maxInterval.toMillis() : base * 10;
      if (max < base) {
        problems.error(path + ".retry_back_off.max_interval", maxInterval + " (expected: >= base_interval)");
      }
    } else {
      max = base * 10;
    }
    return new RetrySpec(Set.copyOf(on), Set.copyOf(codes), retries, perTry, base, max);
  }

  private static HashPolicySpec hashPolicy(io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy policy,
                                           String path, Problems problems) {
    Protos.allowOnly(policy, path, problems, Set.of("header", "cookie", "connection_properties",
        "query_parameter", "terminal"));
    return switch (policy.getPolicySpecifierCase()) {
      case HEADER -> {
        Protos.allowOnly(policy.getHeader(), path + ".header", problems, Set.of("header_name"));
        yield new HashPolicySpec(HashPolicySpec.Kind.HEADER, policy.getHeader().getHeaderName()
            .toLowerCase(Locale.ROOT), null, "", policy.getTerminal());
      }
      case COOKIE -> {
        var cookie = policy.getCookie();
        Protos.allowOnly(cookie, path + ".cookie", problems, Set.of("name", "ttl", "path"));
        yield new HashPolicySpec(HashPolicySpec.Kind.COOKIE, cookie.getName(),
            Protos.duration(cookie.hasTtl(), cookie.getTtl()), cookie.getPath(), policy.getTerminal());
      }
      case CONNECTION_PROPERTIES -> new HashPolicySpec(HashPolicySpec.Kind.SOURCE_IP, "", null, "",
          policy.getTerminal());
      case QUERY_PARAMETER -> new HashPolicySpec(HashPolicySpec.Kind.QUERY_PARAMETER,
          policy.getQueryParameter().getName(), null, "", policy.getTerminal());
      default -> {
        problems.unsupported(path, "hash policy " + policy.getPolicySpecifierCase()
            + " (expected: header, cookie, connection_properties or query_parameter)");
        yield null;
      }
    };
  }

  private static RouteAction.Redirect redirect(RedirectAction redirect, RouteMatch match, String path,
                                               Problems problems) {
    Protos.allowOnly(redirect, path, problems, Set.of("host_redirect", "port_redirect", "path_redirect",
        "prefix_rewrite", "regex_rewrite", "response_code", "scheme_redirect", "https_redirect", "strip_query"));
    String scheme = redirect.getHttpsRedirect() ? "https"
        : redirect.getSchemeRedirect().isEmpty() ? null : redirect.getSchemeRedirect().toLowerCase(Locale.ROOT);
    int status = switch (redirect.getResponseCode()) {
      case MOVED_PERMANENTLY -> 301;
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> {
        problems.error(path + ".response_code", redirect.getResponseCode() + " (expected: MOVED_PERMANENTLY, "
            + "FOUND, SEE_OTHER, TEMPORARY_REDIRECT or PERMANENT_REDIRECT)");
        yield 301;
      }
    };
    Pattern regex = null;
    String substitution = null;
    if (redirect.hasRegexRewrite()) {
      regex = MatcherCompiler.regex(redirect.getRegexRewrite().getPattern(), path + ".regex_rewrite.pattern",
          problems);
      substitution = MatcherCompiler.substitution(redirect.getRegexRewrite().getSubstitution());
    }
    if (!redirect.getPrefixRewrite().isEmpty() && match != null && match.kind() == RouteMatch.PathKind.REGEX) {
      problems.error(path + ".prefix_rewrite", "prefix_rewrite with a safe_regex match (expected: regex_rewrite)");
    }
    return new RouteAction.Redirect(scheme,
        redirect.getHostRedirect().isEmpty() ? null : redirect.getHostRedirect(),
        redirect.getPortRedirect(),
        redirect.getPathRedirect().isEmpty() ? null : redirect.getPathRedirect(),
        redirect.getPrefixRewrite().isEmpty() ? null : redirect.getPrefixRewrite(),
        regex, substitution, status, redirect.getStripQuery());
  }

  private static RouteAction.DirectResponse direct(DirectResponseAction direct, String path, Problems problems) {
    Protos.allowOnly(direct, path, problems, Set.of("status", "body"));
    if (direct.getStatus() < 200 || direct.getStatus() > 599) {
      problems.error(path + ".status", direct.getStatus() + " (expected: 200 to 599)");
    }
    byte[] body = direct.hasBody() ? Protos.inline(direct.getBody(), path + ".body", problems) : new byte[0];
    return new RouteAction.DirectResponse(direct.getStatus(),
        body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8));
  }

  static HeaderMutations mutations(List<HeaderValueOption> add, List<String> remove, String path,
                                   Problems problems) {
    if (add.isEmpty() && remove.isEmpty()) {
      return HeaderMutations.NONE;
    }
    List<HeaderMutations.HeaderAdd> adds = new ArrayList<>();
    for (int i = 0; i < add.size(); i++) {
      HeaderValueOption option = add.get(i);
      String at = path + "[" + i + "]";
      Protos.allowOnly(option, at, problems, Set.of("header", "append", "append_action", "keep_empty_value"));
      String name = option.getHeader().getKey().toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.startsWith(":") || name.equals("host")) {
        problems.error(at + ".header.key", "'" + name
            + "' (expected: a regular header name; use host_rewrite_literal for the host)");
      }
      if (option.getHeader().getValue().indexOf('%') >= 0 && !option.getHeader().getValue().contains("%%")) {
        problems.unsupported(at + ".header.value", "command operator in '" + option.getHeader().getValue()
            + "' (expected: a literal value)");
      }
      HeaderMutations.AppendAction action;
      if (option.hasAppend()) {
        action = option.getAppend().getValue() ? HeaderMutations.AppendAction.APPEND_IF_EXISTS_OR_ADD
            : HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
      } else {
        action = switch (option.getAppendAction()) {
          case ADD_IF_ABSENT -> HeaderMutations.AppendAction.ADD_IF_ABSENT;
          case OVERWRITE_IF_EXISTS_OR_ADD -> HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
          case OVERWRITE_IF_EXISTS -> HeaderMutations.AppendAction.OVERWRITE_IF_EXISTS;
          default -> HeaderMutations.AppendAction.APPEND_IF_EXISTS_OR_ADD;
        };
      }
      adds.add(new HeaderMutations.HeaderAdd(name, option.getHeader().getValue().replace("%%", "%"), action,
          option.getKeepEmptyValue()));
    }
    List<String> removes = new ArrayList<>();
    for (String name : remove) {
      removes.add(name.toLowerCase(Locale.ROOT));
    }
    return new HeaderMutations(List.copyOf(adds), List.copyOf(removes));
  }

  static FilterOverrides perFilter(Map<String, Any> config, String path, Problems problems) {
    if (config.isEmpty()) {
      return FilterOverrides.NONE;
    }
    FaultSpec fault = null;
    CorsSpec cors = null;
    for (Map.Entry<String, Any> entry : config.entrySet()) {
      String at = path + "[" + entry.getKey() + "]";
      String type = Protos.typeName(entry.getValue());
      if (type.equals(FAULT_TYPE)) {
        HTTPFault proto = Protos.unpack(entry.getValue(), HTTPFault.class, at, problems);
        fault = proto == null ? null : fault(proto, at, problems);
      } else if (type.equals(CORS_TYPE)) {
        CorsPolicy proto = Protos.unpack(entry.getValue(), CorsPolicy.class, at, problems);
        cors = proto == null ? null : cors(proto, at, problems);
      } else {
        problems.unsupported(at, "per-filter config " + type + " (expected: " + FAULT_TYPE + " or " + CORS_TYPE
            + ")");
      }
    }
    return new FilterOverrides(fault, cors);
  }

  static FaultSpec fault(HTTPFault fault, String path, Problems problems) {
    Protos.allowOnly(fault, path, problems, Set.of("delay", "abort"));
    Duration delay = null;
    Fraction delayFraction = Fraction.NONE;
    if (fault.hasDelay()) {
      var proto = fault.getDelay();
      Protos.allowOnly(proto, path + ".delay", problems, Set.of("fixed_delay", "percentage"));
      delay = Protos.duration(proto.hasFixedDelay(), proto.getFixedDelay());
      if (delay == null || delay.isNegative() || delay.isZero()) {
        problems.error(path + ".delay.fixed_delay", delay + " (expected: a positive duration)");
      }
      delayFraction = proto.hasPercentage() ? Protos.fraction(proto.getPercentage()) : Fraction.NONE;
    }
    int httpStatus = 0;
    int grpcStatus = -1;
    Fraction abortFraction = Fraction.NONE;
    if (fault.hasAbort()) {
      var proto = fault.getAbort();
      Protos.allowOnly(proto, path + ".abort", problems, Set.of("http_status", "grpc_status", "percentage"));
      switch (proto.getErrorTypeCase()) {
        case HTTP_STATUS -> {
          httpStatus = proto.getHttpStatus();
          if (httpStatus < 200 || httpStatus >= 600) {
            problems.error(path + ".abort.http_status", httpStatus + " (expected: 200 to 599)");
          }
        }
        case GRPC_STATUS -> grpcStatus = proto.getGrpcStatus();
        default -> problems.error(path + ".abort", "no error type (expected: http_status or grpc_status)");
      }
      abortFraction = proto.hasPercentage() ? Protos.fraction(proto.getPercentage()) : Fraction.NONE;
    }
    return new FaultSpec(delay, delayFraction, httpStatus, grpcStatus, abortFraction);
  }

  static CorsSpec cors(CorsPolicy cors, String path, Problems problems) {
    Protos.allowOnly(cors, path, problems, Set.of("allow_origin_string_match", "allow_methods", "allow_headers",
        "expose_headers", "max_age", "allow_credentials", "filter_enabled", "allow_private_network_access",
        "forward_not_matching_preflights"));
    List<StringMatch> origins = new ArrayList<>();
    for (int i = 0; i < cors.getAllowOriginStringMatchCount(); i++) {
      StringMatch match = MatcherCompiler.string(cors.getAllowOriginStringMatch(i),
          path + ".allow_origin_string_match[" + i + "]", problems);
      if (match != null) {
        origins.add(match);
      }
    }
    Fraction enabled = cors.hasFilterEnabled() && cors.getFilterEnabled().hasDefaultValue()
        ? Protos.fraction(cors.getFilterEnabled().getDefaultValue()) : Fraction.ALL;
    return new CorsSpec(List.copyOf(origins), cors.getAllowMethods(), cors.getAllowHeaders(),
        cors.getExposeHeaders(), cors.getMaxAge(),
        cors.hasAllowCredentials() && cors.getAllowCredentials().getValue(), enabled,
        !cors.hasForwardNotMatchingPreflights() || cors.getForwardNotMatchingPreflights().getValue(),
        cors.hasAllowPrivateNetworkAccess() && cors.getAllowPrivateNetworkAccess().getValue());
  }
}
