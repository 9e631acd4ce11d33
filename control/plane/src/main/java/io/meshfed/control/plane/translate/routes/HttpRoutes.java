package io.meshfed.control.plane.translate.routes;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshfed.control.plane.istio.DestinationRule.ConsistentHash;
import io.meshfed.control.plane.istio.Headers;
import io.meshfed.control.plane.istio.Selectors;
import io.meshfed.control.plane.istio.StringMatch;
import io.meshfed.control.plane.istio.VirtualService;
import io.meshfed.control.plane.istio.VirtualService.HttpMatch;
import io.meshfed.control.plane.istio.VirtualService.HttpRoute;
import io.meshfed.control.plane.istio.VirtualService.HttpRouteDestination;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.model.Problems;
import io.meshfed.control.plane.xds.TypedAny;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One VirtualService HTTP rule → Envoy routes, one per {@code match} (Istio's translation): the first route whose
 * match fits the request applies, in VirtualService order.
 */
public final class HttpRoutes {

  /** Filter names of the per-route configurations. */
  public static final String FAULT_FILTER = "envoy.filters.http.fault";
  public static final String CORS_FILTER = "envoy.filters.http.cors";
  /** Istio's default retry conditions (a route without {@code retries}). */
  public static final String DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,"
      + "retriable-status-codes";
  private static final RetryPolicy.RetryHostPredicate PREVIOUS_HOSTS = RetryPolicy.RetryHostPredicate.newBuilder()
      .setName("envoy.retry_host_predicates.previous_hosts")
      .setTypedConfig(TypedAny.pack(PreviousHostsPredicate.getDefaultInstance())).build();
  private static final Set<String> RETRY_CONDITIONS = Set.of("5xx", "gateway-error", "reset", "connect-failure",
      "retriable-4xx", "refused-stream", "retriable-status-codes", "cancelled", "deadline-exceeded", "internal",
      "resource-exhausted", "unavailable", "envoy-ratelimited");
  private static final Map<String, Integer> GRPC_CODES = Map.ofEntries(Map.entry("OK", 0),
      Map.entry("CANCELLED", 1), Map.entry("UNKNOWN", 2), Map.entry("INVALID_ARGUMENT", 3),
      Map.entry("DEADLINE_EXCEEDED", 4), Map.entry("NOT_FOUND", 5), Map.entry("ALREADY_EXISTS", 6),
      Map.entry("PERMISSION_DENIED", 7), Map.entry("RESOURCE_EXHAUSTED", 8), Map.entry("FAILED_PRECONDITION", 9),
      Map.entry("ABORTED", 10), Map.entry("OUT_OF_RANGE", 11), Map.entry("UNIMPLEMENTED", 12),
      Map.entry("INTERNAL", 13), Map.entry("UNAVAILABLE", 14), Map.entry("DATA_LOSS", 15),
      Map.entry("UNAUTHENTICATED", 16));

  /**
   * Where the routes are translated.
   *
   * @param serverPort the Gateway server's port (or the service port for mesh routes): {@code match.port} compares
   *     with it
   * @param clientLabels the gateway's labels: {@code match.sourceLabels} compare with them
   * @param defaultPort the port destinations without one use when their service has several, or 0
   */
  public record Context(RouteDialect dialect, int serverPort, Map<String, String> clientLabels, int defaultPort,
      DestinationResolver resolver, Problems problems) {
  }

  private HttpRoutes() {
  }

  /** The routes of rule {@code index} of {@code vs}; empty when no match of it applies here. */
  public static List<Route> translate(VirtualService vs, int index, HttpRoute rule, Context ctx) {
    String path = "spec.http[" + index + "]";
    List<RouteMatch> matches = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (rule.match().isEmpty()) {
      matches.add(RouteMatch.newBuilder().setPrefix("/").build());
      names.add(rule.name().orElse(""));
    }
    for (int m = 0; m < rule.match().size(); m++) {
      HttpMatch match = rule.match().get(m);
      if (match.port().isPresent() && match.port().get() != ctx.serverPort()) {
        continue;
      }
      if (!match.sourceLabels().isEmpty() && !Selectors.matches(match.sourceLabels(), ctx.clientLabels())) {
        continue;
      }
      Optional<RouteMatch> translated = match(vs, path + ".match[" + m + "]", match, ctx);
      if (translated.isPresent()) {
        matches.add(translated.get());
        String name = rule.name().orElse("");
        if (match.name().isPresent()) {
          name = name.isEmpty() ? match.name().get() : name + "." + match.name().get();
        }
        names.add(name);
      }
    }
    if (matches.isEmpty()) {
      return List.of();
    }
    Route.Builder template = Route.newBuilder();
    if (!action(vs, path, rule, template, ctx)) {
      return List.of();
    }
    List<Route> routes = new ArrayList<>(matches.size());
    for (int i = 0; i < matches.size(); i++) {
      Route.Builder route = template.clone().setMatch(matches.get(i));
      if (!names.get(i).isEmpty()) {
        route.setName(names.get(i));
      }
      routes.add(route.build());
    }
    return routes;
  }

  /** The routes of a VirtualService (all its HTTP rules in order). */
  public static List<Route> translate(VirtualService vs, Context ctx) {
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < vs.http().size(); i++) {
      routes.addAll(translate(vs, i, vs.http().get(i), ctx));
    }
    return routes;
  }

  private static Optional<RouteMatch> match(VirtualService vs, String path, HttpMatch match, Context ctx) {
    RouteMatch.Builder out = RouteMatch.newBuilder();
    if (match.uri().isEmpty()) {
      out.setPrefix("/");
    } else {
      StringMatch uri = match.uri().get();
      switch (uri.kind()) {
        case EXACT -> out.setPath(uri.value());
        case PREFIX -> out.setPrefix(uri.value());
        case REGEX -> out.setSafeRegex(regex(uri.value()));
        case PRESENT -> out.setPrefix("/");
      }
    }
    boolean headerConditions = match.method().isPresent() || !match.headers().isEmpty()
        || !match.queryParams().isEmpty();
    if (headerConditions && ctx.dialect() == RouteDialect.EASTWEST) {
      ctx.problems().report(Kind.UNSUPPORTED, vs, path, "method, header and query parameter matches are not "
          + "supported by the east-west gateway's outbound listener; this match is left out (requests it would "
          + "have matched fall through to the next rule)", "route on paths only for mesh traffic crossing clusters, "
          + "or bind the VirtualService to an ingress Gateway");
      return Optional.empty();
    }
    match.method().ifPresent(method -> out.addHeaders(header(":method", method)));
    for (Map.Entry<String, StringMatch> header : new TreeMap<>(match.headers()).entrySet()) {
      out.addHeaders(header(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
    }
    for (Map.Entry<String, StringMatch> param : new TreeMap<>(match.queryParams()).entrySet()) {
      QueryParameterMatcher.Builder q = QueryParameterMatcher.newBuilder().setName(param.getKey());
      if (param.getValue().kind() == StringMatch.Kind.PRESENT) {
        q.setPresentMatch(true);
      } else {
        q.setStringMatch(string(param.getValue()));
      }
      out.addQueryParameters(q);
    }
    return Optional.of(out.build());
  }

  private static HeaderMatcher header(String name, StringMatch value) {
    HeaderMatcher.Builder header = HeaderMatcher.newBuilder().setName(name);
    if (value.kind() == StringMatch.Kind.PRESENT) {
      header.setPresentMatch(true);
    } else {
      header.setStringMatch(string(value));
    }
    return header.build();
  }

  static StringMatcher string(StringMatch value) {
    StringMatcher.Builder out = StringMatcher.newBuilder();
    switch (value.kind()) {
      case EXACT -> out.setExact(value.value());
      case PREFIX -> out.setPrefix(value.value());
      case REGEX -> out.setSafeRegex(regex(value.value()));
      case PRESENT -> out.setSafeRegex(regex(".*"));
    }
    return out.build();
  }

  static RegexMatcher regex(String regex) {
    return RegexMatcher.newBuilder().setRegex(regex).build();
  }

  /** Fills the action of {@code route}; false when the rule cannot be expressed here at all. */
  private static boolean action(VirtualService vs, String path, HttpRoute rule, Route.Builder route, Context ctx) {
    boolean eastwest = ctx.dialect() == RouteDialect.EASTWEST;
    if (rule.redirect().isPresent()) {
      if (eastwest) {
        unsupported(vs, path + ".redirect", "redirects", ctx);
        return false;
      }
      route.setRedirect(redirect(vs, path + ".redirect", rule.redirect().get(), ctx));
      headers(vs, path, rule.headers(), route, ctx);
      return true;
    }
    RouteAction.Builder action = RouteAction.newBuilder();
    List<HttpRouteDestination> destinations = rule.route().stream().filter(d -> rule.route().size() == 1
        || d.weight() > 0).toList();
    if (destinations.isEmpty()) {
      ctx.problems().report(Kind.UNSUPPORTED, vs, path + ".route", "every destination has weight 0 (expected: at "
          + "least one weight > 0)", "give a destination a positive weight");
      return false;
    }
    Optional<String> hostRewrite = Optional.empty();
    if (destinations.size() == 1) {
      HttpRouteDestination only = destinations.get(0);
      action.setCluster(ctx.resolver().cluster(vs, path + ".route[0].destination", only.destination(),
          ctx.defaultPort()));
      if (only.headers().isPresent()) {
        hostRewrite = headers(vs, path + ".route[0]", only.headers(), route, ctx);
      }
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      int[] weights = normalise(destinations.stream().mapToInt(HttpRouteDestination::weight).toArray());
      for (int i = 0; i < destinations.size(); i++) {
        HttpRouteDestination d = destinations.get(i);
        int at = rule.route().indexOf(d);
        WeightedCluster.ClusterWeight.Builder entry = WeightedCluster.ClusterWeight.newBuilder()
            .setName(ctx.resolver().cluster(vs, path + ".route[" + at + "].destination", d.destination(),
                ctx.defaultPort()))
            .setWeight(UInt32Value.of(weights[i]));
        if (d.headers().isPresent()) {
          destinationHeaders(vs, path + ".route[" + at + "].headers", d.headers().get(), entry, ctx);
        }
        weighted.addClusters(entry);
      }
      action.setWeightedClusters(weighted);
    }
    // Istio's default: no route timeout (Envoy's own default is 15 s).
    Duration timeout = rule.timeout().orElse(Duration.ZERO);
    action.setTimeout(Durations.fromNanos(timeout.toNanos()));
    retries(vs, path + ".retries", rule, action, ctx);
    if (rule.rewrite().isPresent()) {
      if (eastwest) {
        unsupported(vs, path + ".rewrite", "rewrites", ctx);
      } else {
        rewrite(rule, action);
        if (rule.rewrite().get().authority().isPresent()) {
          hostRewrite = rule.rewrite().get().authority();
        }
      }
    }
    if (rule.mirror().isPresent()) {
      if (eastwest) {
        unsupported(vs, path + ".mirror", "mirrors", ctx);
      } else if (ctx.dialect() == RouteDialect.L7_GATEWAY) {
        action.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder()
            .setCluster(ctx.resolver().cluster(vs, path + ".mirror", rule.mirror().get(), ctx.defaultPort()))
            .setRuntimeFraction(RuntimeFractionalPercent.newBuilder()
                .setDefaultValue(percent(rule.effectiveMirrorPercentage()))));
      }
    }
    hashPolicy(vs, path, destinations, action, ctx);
    if (destinations.size() != 1 || rule.headers().isPresent()) {
      Optional<String> authority = headers(vs, path, rule.headers(), route, ctx);
      if (authority.isPresent()) {
        hostRewrite = authority;
      }
    }
    hostRewrite.ifPresent(action::setHostRewriteLiteral);
    if (eastwest && hostRewrite.isPresent()) {
      action.clearHostRewriteLiteral();
    }
    route.setRoute(action);
    if (rule.fault().isPresent()) {
      if (eastwest) {
        unsupported(vs, path + ".fault", "fault injection", ctx);
      } else {
        route.putTypedPerFilterConfig(FAULT_FILTER, Any.pack(fault(rule.fault().get())));
      }
    }
    if (rule.corsPolicy().isPresent()) {
      if (eastwest) {
        unsupported(vs, path + ".corsPolicy", "CORS policies", ctx);
      } else if (ctx.dialect() == RouteDialect.L7_GATEWAY) {
        route.putTypedPerFilterConfig(CORS_FILTER, Any.pack(cors(rule.corsPolicy().get())));
      }
    }
    return true;
  }

  private static void unsupported(VirtualService vs, String field, String what, Context ctx) {
    ctx.problems().report(Kind.UNSUPPORTED, vs, field, what + " are not supported by the east-west gateway's "
        + "outbound listener; left out for mesh traffic crossing clusters", "apply it at an ingress Gateway, or "
        + "accept that remote calls through the east-west gateway do without it");
  }

  /**
   * Istio weights are relative; the profile's weighted clusters sum to 100. Largest remainder rounding, every
   * destination keeping at least 1.
   */
  static int[] normalise(int[] weights) {
    long sum = 0;
    for (int w : weights) {
      sum += w;
    }
    if (sum == 100) {
      return weights.clone();
    }
    int[] out = new int[weights.length];
    double[] remainder = new double[weights.length];
    int total = 0;
    for (int i = 0; i < weights.length; i++) {
      double exact = weights[i] * 100.0 / sum;
      out[i] = Math.max(1, (int) Math.floor(exact));
      remainder[i] = exact - Math.floor(exact);
      total += out[i];
    }
    while (total < 100) {
      int best = 0;
      for (int i = 1; i < out.length; i++) {
        if (remainder[i] > remainder[best]) {
          best = i;
        }
      }
      out[best]++;
      remainder[best] = -1;
      total++;
    }
    while (total > 100) {
      int largest = 0;
      for (int i = 1; i < out.length; i++) {
        if (out[i] > out[largest]) {
          largest = i;
        }
      }
      out[largest]--;
      total--;
    }
    return out;
  }

  private static RedirectAction redirect(VirtualService vs, String path, VirtualService.Redirect redirect,
      Context ctx) {
    RedirectAction.Builder out = RedirectAction.newBuilder();
    redirect.authority().ifPresent(out::setHostRedirect);
    redirect.uri().ifPresent(out::setPathRedirect);
    redirect.scheme().ifPresent(out::setSchemeRedirect);
    if (redirect.port().isPresent()) {
      out.setPortRedirect(redirect.port().get());
    } else if (redirect.derivePort().filter("FROM_PROTOCOL_DEFAULT"::equals).isPresent()) {
      out.setPortRedirect(redirect.scheme().orElse("http").equalsIgnoreCase("https") ? 443 : 80);
    }
    out.setResponseCode(switch (redirect.redirectCode()) {
      case 302 -> RedirectAction.RedirectResponseCode.FOUND;
      case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
      case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
      case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
      case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
      default -> {
        ctx.problems().report(Kind.UNSUPPORTED, vs, path + ".redirectCode", redirect.redirectCode()
            + " cannot be expressed in an Envoy redirect (expected: 301, 302, 303, 307 or 308); 301 is used",
            "use one of 301, 302, 303, 307, 308");
        yield RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
      }
    });
    return out.build();
  }

  private static void rewrite(HttpRoute rule, RouteAction.Builder action) {
    VirtualService.Rewrite rewrite = rule.rewrite().get();
    if (rewrite.uriRegexRewrite().isPresent()) {
      action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
          .setPattern(regex(rewrite.uriRegexRewrite().get().match()))
          .setSubstitution(rewrite.uriRegexRewrite().get().rewrite()));
    } else if (rewrite.uri().isPresent()) {
      boolean regexMatch = rule.match().stream().anyMatch(m -> m.uri().map(u -> u.kind() == StringMatch.Kind.REGEX)
          .orElse(false));
      if (regexMatch) {
        // Istio: "if the original URI was matched based on prefix, the value replaces the matched prefix";
        // otherwise it replaces the path.
        action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder().setPattern(regex("^/.*$"))
            .setSubstitution(rewrite.uri().get()));
      } else {
        action.setPrefixRewrite(rewrite.uri().get());
      }
    }
  }

  /**
   * Istio's default retry policy (a route without {@code retries}): 2 retries on connect-failure, refused-stream,
   * unavailable, cancelled and 503, on other hosts, with Envoy's back-off (25 ms, at most 250 ms).
   */
  public static RetryPolicy defaultRetryPolicy() {
    return DefaultRetry.POLICY;
  }

  /** Istio's default retry policy: one immutable instance for the tens of thousands of routes that carry it. */
  private static final class DefaultRetry {
    static final RetryPolicy POLICY = retryBase().setRetryOn(DEFAULT_RETRY_ON).setNumRetries(UInt32Value.of(2))
        .addRetriableStatusCodes(503).build();
  }

  private static RetryPolicy.Builder retryBase() {
    return RetryPolicy.newBuilder()
        .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(25))
            .setMaxInterval(Durations.fromMillis(250)))
        .addRetryHostPredicate(PREVIOUS_HOSTS)
        .setHostSelectionRetryMaxAttempts(5);
  }

  private static void retries(VirtualService vs, String path, HttpRoute rule, RouteAction.Builder action,
      Context ctx) {
    if (rule.retries().isPresent() && rule.retries().get().attempts() == 0) {
      return; // attempts: 0 disables retries
    }
    if (rule.retries().isEmpty()) {
      action.setRetryPolicy(defaultRetryPolicy());
      return;
    }
    RetryPolicy.Builder policy = retryBase();
    VirtualService.Retry retry = rule.retries().get();
    policy.setNumRetries(UInt32Value.of(retry.attempts()));
    retry.perTryTimeout().ifPresent(t -> policy.setPerTryTimeout(Durations.fromNanos(t.toNanos())));
    List<String> conditions = new ArrayList<>();
    if (retry.retryOn().isEmpty()) {
      conditions.add(DEFAULT_RETRY_ON);
      policy.addRetriableStatusCodes(503);
    }
    for (String condition : retry.retryOn()) {
      String c = condition.trim();
      if (c.chars().allMatch(Character::isDigit) && !c.isEmpty()) {
        policy.addRetriableStatusCodes(Integer.parseInt(c));
        if (!conditions.contains("retriable-status-codes")) {
          conditions.add("retriable-status-codes");
        }
      } else if (RETRY_CONDITIONS.contains(c)) {
        if (!conditions.contains(c)) {
          conditions.add(c);
        }
      } else {
        ctx.problems().report(Kind.UNSUPPORTED, vs, path + ".retryOn", "\"" + c + "\" is not a retry condition "
            + "meshfed's gateways implement; left out (supported: " + String.join(", ", new java.util.TreeSet<>(
            RETRY_CONDITIONS)) + ", or HTTP status codes)", "use one of the supported conditions");
      }
    }
    action.setRetryPolicy(policy.setRetryOn(String.join(",", conditions)));
  }

  private static void hashPolicy(VirtualService vs, String path, List<HttpRouteDestination> destinations,
      RouteAction.Builder action, Context ctx) {
    List<Optional<ConsistentHash>> hashes = destinations.stream()
        .map(d -> ctx.resolver().consistentHash(d.destination(), ctx.defaultPort())).toList();
    if (hashes.stream().allMatch(Optional::isEmpty)) {
      return;
    }
    if (hashes.stream().distinct().count() > 1) {
      ctx.problems().report(Kind.UNSUPPORTED, vs, path + ".route", "the destinations' DestinationRules hash on "
          + "different keys (consistentHash); one route carries one hash policy, so none is set",
          "use the same consistentHash for every destination of a weighted route");
      return;
    }
    if (ctx.dialect() == RouteDialect.EASTWEST) {
      return; // the east-west gateway hashes on the client address for RING_HASH/MAGLEV clusters
    }
    ConsistentHash hash = hashes.get(0).get();
    RouteAction.HashPolicy.Builder policy = RouteAction.HashPolicy.newBuilder();
    if (hash.httpHeaderName().isPresent()) {
      policy.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(hash.httpHeaderName().get()));
    } else if (hash.httpCookie().isPresent()) {
      RouteAction.HashPolicy.Cookie.Builder cookie = RouteAction.HashPolicy.Cookie.newBuilder()
          .setName(hash.httpCookie().get().name());
      hash.httpCookie().get().path().ifPresent(cookie::setPath);
      hash.httpCookie().get().ttl().ifPresent(ttl -> cookie.setTtl(Durations.fromNanos(ttl.toNanos())));
      policy.setCookie(cookie);
    } else if (hash.useSourceIp()) {
      policy.setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else if (hash.httpQueryParameterName().isPresent()) {
      policy.setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder()
          .setName(hash.httpQueryParameterName().get()));
    } else {
      return;
    }
    action.addHashPolicy(policy);
  }

  /**
   * Istio's header operations: {@code set} overwrites, {@code add} appends, {@code remove} deletes. Setting the
   * request's {@code :authority} (or Host) is a host rewrite.
   *
   * @return the authority to rewrite to, if the operations set one
   */
  private static Optional<String> headers(VirtualService vs, String path, Optional<Headers> headers,
      Route.Builder route, Context ctx) {
    if (headers.isEmpty()) {
      return Optional.empty();
    }
    if (ctx.dialect() != RouteDialect.L7_GATEWAY) {
      if (ctx.dialect() == RouteDialect.EASTWEST) {
        unsupported(vs, path + ".headers", "header operations", ctx);
      }
      return Optional.empty();
    }
    Headers.Operations request = headers.get().request();
    Optional<String> authority = Optional.empty();
    for (Map.Entry<String, String> e : new TreeMap<>(request.set()).entrySet()) {
      if (isAuthority(e.getKey())) {
        authority = Optional.of(e.getValue());
      } else {
        route.addRequestHeadersToAdd(option(e.getKey(), e.getValue(), true));
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(request.add()).entrySet()) {
      if (isAuthority(e.getKey())) {
        authority = Optional.of(e.getValue());
      } else {
        route.addRequestHeadersToAdd(option(e.getKey(), e.getValue(), false));
      }
    }
    route.addAllRequestHeadersToRemove(request.remove());
    Headers.Operations response = headers.get().response();
    new TreeMap<>(response.set()).forEach((k, v) -> route.addResponseHeadersToAdd(option(k, v, true)));
    new TreeMap<>(response.add()).forEach((k, v) -> route.addResponseHeadersToAdd(option(k, v, false)));
    route.addAllResponseHeadersToRemove(response.remove());
    return authority;
  }

  private static void destinationHeaders(VirtualService vs, String path, Headers headers,
      WeightedCluster.ClusterWeight.Builder entry, Context ctx) {
    if (ctx.dialect() != RouteDialect.L7_GATEWAY) {
      if (ctx.dialect() == RouteDialect.EASTWEST) {
        unsupported(vs, path, "header operations", ctx);
      }
      return;
    }
    Headers.Operations request = headers.request();
    for (Map.Entry<String, String> e : new TreeMap<>(request.set()).entrySet()) {
      if (isAuthority(e.getKey())) {
        authorityPerDestination(vs, path, ctx);
      } else {
        entry.addRequestHeadersToAdd(option(e.getKey(), e.getValue(), true));
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(request.add()).entrySet()) {
      if (isAuthority(e.getKey())) {
        authorityPerDestination(vs, path, ctx);
      } else {
        entry.addRequestHeadersToAdd(option(e.getKey(), e.getValue(), false));
      }
    }
    entry.addAllRequestHeadersToRemove(request.remove());
    new TreeMap<>(headers.response().set()).forEach((k, v) -> entry.addResponseHeadersToAdd(option(k, v, true)));
    new TreeMap<>(headers.response().add()).forEach((k, v) -> entry.addResponseHeadersToAdd(option(k, v, false)));
    entry.addAllResponseHeadersToRemove(headers.response().remove());
  }

  private static void authorityPerDestination(VirtualService vs, String path, Context ctx) {
    ctx.problems().report(Kind.UNSUPPORTED, vs, path + ".request", "setting :authority per destination of a "
        + "weighted route is not supported; left out", "set it for the whole rule (http[].headers or "
        + "rewrite.authority)");
  }

  private static boolean isAuthority(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  private static HeaderValueOption option(String name, String value, boolean overwrite) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name.toLowerCase(Locale.ROOT)).setValue(value))
        .setAppendAction(overwrite ? HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD
            : HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
        .build();
  }

  /** Istio's percentage (a double, 0..100) as a fraction of a million. */
  static FractionalPercent percent(double value) {
    return FractionalPercent.newBuilder().setNumerator((int) Math.round(value * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
  }

  static HTTPFault fault(VirtualService.Fault fault) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    fault.delay().ifPresent(delay -> out.setDelay(FaultDelay.newBuilder()
        .setFixedDelay(Durations.fromNanos(delay.fixedDelay().toNanos()))
        .setPercentage(percent(delay.percentage()))));
    fault.abort().ifPresent(abort -> {
      FaultAbort.Builder a = FaultAbort.newBuilder().setPercentage(percent(abort.percentage()));
      if (abort.httpStatus().isPresent()) {
        a.setHttpStatus(abort.httpStatus().get());
      } else {
        String code = abort.grpcStatus().orElse("UNKNOWN");
        a.setGrpcStatus(code.chars().allMatch(Character::isDigit) ? Integer.parseInt(code)
            : GRPC_CODES.getOrDefault(code.toUpperCase(Locale.ROOT), 2));
      }
      out.setAbort(a);
    });
    return out.build();
  }

  static CorsPolicy cors(VirtualService.CorsPolicy cors) {
    CorsPolicy.Builder out = CorsPolicy.newBuilder();
    for (StringMatch origin : cors.allowOrigins()) {
      out.addAllowOriginStringMatch(string(origin));
    }
    if (!cors.allowMethods().isEmpty()) {
      out.setAllowMethods(String.join(",", cors.allowMethods()));
    }
    if (!cors.allowHeaders().isEmpty()) {
      out.setAllowHeaders(String.join(",", cors.allowHeaders()));
    }
    if (!cors.exposeHeaders().isEmpty()) {
      out.setExposeHeaders(String.join(",", cors.exposeHeaders()));
    }
    cors.maxAge().ifPresent(age -> out.setMaxAge(Long.toString(age.getSeconds())));
    cors.allowCredentials().ifPresent(c -> out.setAllowCredentials(BoolValue.of(c)));
    return out.build();
  }
}
