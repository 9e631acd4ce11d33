package io.meshfed.control.plane.istio;

import static io.meshfed.control.plane.istio.MessageType.IGNORED_FIELD;
import static io.meshfed.control.plane.istio.MessageType.UNSUPPORTED_FIELD;

import io.meshfed.control.plane.istio.VirtualService.Abort;
import io.meshfed.control.plane.istio.VirtualService.CorsPolicy;
import io.meshfed.control.plane.istio.VirtualService.Delay;
import io.meshfed.control.plane.istio.VirtualService.Fault;
import io.meshfed.control.plane.istio.VirtualService.HttpMatch;
import io.meshfed.control.plane.istio.VirtualService.HttpRoute;
import io.meshfed.control.plane.istio.VirtualService.HttpRouteDestination;
import io.meshfed.control.plane.istio.VirtualService.L4Match;
import io.meshfed.control.plane.istio.VirtualService.Redirect;
import io.meshfed.control.plane.istio.VirtualService.RegexRewrite;
import io.meshfed.control.plane.istio.VirtualService.Retry;
import io.meshfed.control.plane.istio.VirtualService.Rewrite;
import io.meshfed.control.plane.istio.VirtualService.RouteDestination;
import io.meshfed.control.plane.istio.VirtualService.TcpRoute;
import io.meshfed.control.plane.istio.VirtualService.TlsMatch;
import io.meshfed.control.plane.istio.VirtualService.TlsRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and validates a VirtualService spec, following Istio's validation rules. */
final class VirtualServiceReader {

  /** Envoy's retry_on conditions Istio accepts (x-envoy-retry-on and x-envoy-retry-grpc-on). */
  private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
      "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
      "retriable-headers", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
      "resource-exhausted", "unavailable");
  private static final Set<String> GRPC_STATUS = Set.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED");
  private static final Set<String> CORS_METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "CONNECT", "TRACE");

  private final ReadContext context;

  VirtualServiceReader(ReadContext context) {
    this.context = context;
  }

  VirtualService read(FieldReader spec, ResourceMeta meta) {
    List<String> hosts = spec.stringList("hosts");
    List<String> gateways = spec.stringList("gateways");
    boolean mesh = gateways.isEmpty() || gateways.contains(VirtualService.MESH);
    if (hosts.isEmpty()) {
      spec.missing("hosts", "at least one host (delegate VirtualServices without hosts are not supported)");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      if (host.equals("*") && mesh) {
        spec.invalid("hosts[" + i + "]", new ScalarValue(host, spec.position()),
            "a service host; * is only allowed for VirtualServices bound to gateways only",
            "list the hosts, or bind the VirtualService to a gateway");
      } else {
        CommonReaders.host(spec, "hosts[" + i + "]", host);
      }
      for (int j = i + 1; j < hosts.size(); j++) {
        if (HostNames.overlap(hosts.get(i), hosts.get(j))) {
          spec.invalidHere("duplicate hosts " + hosts.get(i) + " and " + hosts.get(j) + " (expected: distinct hosts)",
              "remove one of them");
        }
      }
    }
    for (int i = 0; i < gateways.size(); i++) {
      gatewayName(spec, "gateways[" + i + "]", gateways.get(i));
    }
    List<HttpRoute> http = spec.list("http", this::httpRoute);
    List<TlsRoute> tls = spec.list("tls", r -> tlsRoute(r, hosts));
    List<TcpRoute> tcp = spec.list("tcp", this::tcpRoute);
    if (!spec.has("http") && !spec.has("tls") && !spec.has("tcp")) {
      spec.invalidHere("no http, tls or tcp routes (expected: at least one)", "add an http route");
    }
    List<String> exportTo = CommonReaders.exportTo(spec, false);
    List<String> fqdn = hosts.stream().map(context::fqdn).toList();
    return new VirtualService(meta, hosts, fqdn, gateways, http, tls, tcp, exportTo);
  }

  private static void gatewayName(FieldReader r, String field, String name) {
    if (name.equals(VirtualService.MESH)) {
      return;
    }
    String[] parts = name.split("/", -1);
    boolean valid = parts.length == 1 ? CommonReaders.DNS_LABEL.matcher(name).matches()
        : parts.length == 2 && CommonReaders.DNS_LABEL.matcher(parts[0]).matches()
            && CommonReaders.DNS_LABEL.matcher(parts[1]).matches();
    if (!valid) {
      r.invalid(field, new ScalarValue(name, r.position()), "mesh, <gateway> or <namespace>/<gateway>",
          "write the gateway as namespace/name, e.g. istio-system/ingressgateway");
    }
  }

  private HttpRoute httpRoute(FieldReader r) {
    Optional<String> name = r.string("name");
    List<HttpMatch> match = r.list("match", this::httpMatch);
    List<HttpRouteDestination> route = r.list("route", this::httpRouteDestination);
    Optional<Redirect> redirect = r.object("redirect", this::redirect);
    Optional<Rewrite> rewrite = r.object("rewrite", this::rewrite);
    Optional<Duration> timeout = r.duration("timeout", Duration.ZERO);
    Optional<Retry> retries = r.object("retries", this::retry);
    Optional<Fault> fault = r.object("fault", this::fault);
    Optional<Destination> mirror = r.object("mirror", d -> CommonReaders.destination(d, context));
    Optional<Double> mirrorPercentage = r.object("mirrorPercentage", CommonReaders::percent);
    if (mirrorPercentage.isEmpty()) {
      mirrorPercentage = r.integer("mirrorPercent", 0, 100).map(Long::doubleValue);
    }
    r.deprecated("mirrorPercent", "mirrorPercentage: {value: ...}");
    Optional<CorsPolicy> cors = r.object("corsPolicy", this::cors);
    Optional<Headers> headers = r.object("headers", CommonReaders::headers);
    r.unsupported("directResponse", UNSUPPORTED_FIELD, "direct responses are not implemented; use a redirect");
    r.unsupported("delegate", UNSUPPORTED_FIELD, "VirtualService delegation is not implemented");
    r.unsupported("mirrors", IGNORED_FIELD, "only mirror with mirrorPercentage is implemented; nothing is mirrored");
    if (redirect.isPresent() || r.has("redirect")) {
      if (r.has("route")) {
        r.invalidHere("both route and redirect (expected: one of them)", "remove route or redirect");
      }
      if (r.has("fault")) {
        r.invalidHere("both fault and redirect (expected: one of them)", "remove fault or redirect");
      }
      if (r.has("rewrite")) {
        r.invalidHere("both rewrite and redirect (expected: one of them)", "remove rewrite or redirect");
      }
    } else if (!r.has("route") && !r.has("directResponse") && !r.has("delegate")) {
      r.invalidHere("no route or redirect (expected: one of them)", "add a route with a destination");
    }
    if (route.size() > 1 && route.stream().mapToInt(HttpRouteDestination::weight).sum() == 0) {
      r.invalidHere("total destination weight 0 (expected: > 0 when there are several destinations)",
          "give the destinations weights, e.g. 90 and 10");
    }
    return new HttpRoute(name, match, route, redirect, rewrite, timeout, retries, fault, mirror, mirrorPercentage,
        cors, headers);
  }

  private HttpMatch httpMatch(FieldReader r) {
    Optional<String> name = r.string("name");
    Optional<StringMatch> uri = r.object("uri", m -> CommonReaders.stringMatch(m, false));
    Optional<StringMatch> method = r.object("method", m -> CommonReaders.stringMatch(m, false));
    Map<String, StringMatch> headers = r.map("headers", m -> CommonReaders.stringMatch(m, true));
    Map<String, StringMatch> queryParams = r.map("queryParams", m -> CommonReaders.stringMatch(m, true));
    Optional<Integer> port = r.port("port");
    Map<String, String> sourceLabels = r.stringMap("sourceLabels");
    for (String header : headers.keySet()) {
      if (!header.equals(header.toLowerCase(Locale.ROOT))) {
        r.warnHere("headers", "header name \"" + header + "\" has upper case; Istio expects lower-case names",
            "write " + header.toLowerCase(Locale.ROOT));
      }
    }
    String dropsMatch = "a match condition meshfed cannot evaluate; ignoring it would route other requests here";
    r.unsupported("scheme", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("authority", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("withoutHeaders", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("ignoreUriCase", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("sourceNamespace", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("gateways", UNSUPPORTED_FIELD, dropsMatch);
    r.unsupported("statPrefix", IGNORED_FIELD, "per-match statistics are not emitted");
    return new HttpMatch(name, uri, method, headers, queryParams, port, sourceLabels);
  }

  private HttpRouteDestination httpRouteDestination(FieldReader r) {
    Optional<Destination> destination = r.object("destination", d -> CommonReaders.destination(d, context));
    if (destination.isEmpty() && !r.has("destination")) {
      r.missing("destination", "a destination with a host");
    }
    int weight = r.integer("weight", 0, Integer.MAX_VALUE).orElse(0L).intValue();
    Optional<Headers> headers = r.object("headers", CommonReaders::headers);
    return destination.map(d -> new HttpRouteDestination(d, weight, headers)).orElse(null);
  }

  private Redirect redirect(FieldReader r) {
    Optional<String> uri = r.string("uri");
    Optional<String> authority = r.string("authority");
    Optional<Integer> port = r.port("port");
    Optional<String> derivePort = r.string("derivePort");
    derivePort.filter(p -> !p.equals("FROM_PROTOCOL_DEFAULT") && !p.equals("FROM_REQUEST_PORT"))
        .ifPresent(p -> r.invalid("derivePort", new ScalarValue(p, r.position()),
            "FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT", "use one of them"));
    if (port.isPresent() && derivePort.isPresent()) {
      r.invalidHere("both port and derivePort (expected: one of them)", "remove one");
    }
    Optional<String> scheme = r.string("scheme");
    scheme.filter(s -> !s.equals("http") && !s.equals("https"))
        .ifPresent(s -> r.invalid("scheme", new ScalarValue(s, r.position()), "http or https", "use http or https"));
    int code = r.integer("redirectCode", 300, 399).orElse(301L).intValue();
    if (uri.isEmpty() && authority.isEmpty() && port.isEmpty() && derivePort.isEmpty() && scheme.isEmpty()) {
      r.invalidHere("redirect changes nothing (expected: uri, authority, scheme or port)", "set at least one");
    }
    return new Redirect(uri, authority, port, derivePort, scheme, code);
  }

  private Rewrite rewrite(FieldReader r) {
    Optional<String> uri = r.string("uri");
    Optional<String> authority = r.string("authority");
    Optional<RegexRewrite> regex = r.object("uriRegexRewrite", x -> {
      String match = x.requiredString("match");
      String rewrite = x.requiredString("rewrite");
      CommonReaders.regex(x, "match", match);
      return new RegexRewrite(match, rewrite);
    });
    if (uri.isPresent() && r.has("uriRegexRewrite")) {
      r.invalidHere("both uri and uriRegexRewrite (expected: one of them)", "remove one");
    }
    if (uri.isEmpty() && authority.isEmpty() && !r.has("uriRegexRewrite")) {
      r.invalidHere("rewrite changes nothing (expected: uri, uriRegexRewrite or authority)", "set one");
    }
    return new Rewrite(uri, authority, regex);
  }

  private Retry retry(FieldReader r) {
    int attempts = r.integer("attempts", 0, Integer.MAX_VALUE).orElse(0L).intValue();
    Optional<Duration> perTryTimeout = r.duration("perTryTimeout");
    List<String> retryOn = new ArrayList<>();
    r.string("retryOn").ifPresent(text -> {
      for (String policy : text.split(",")) {
        String trimmed = policy.trim();
        if (!RETRY_ON.contains(trimmed) && !isStatusCode(trimmed)) {
          r.invalid("retryOn", new ScalarValue(text, r.position()),
              "comma-separated Envoy retry conditions or status codes; \"" + trimmed + "\" is neither",
              "use e.g. 5xx,connect-failure,refused-stream or 503");
        } else {
          retryOn.add(trimmed);
        }
      }
    });
    if (attempts == 0 && (perTryTimeout.isPresent() || !retryOn.isEmpty())) {
      r.invalidHere("retry policy with attempts 0 (expected: attempts > 0; 0 disables retries)",
          "set attempts, or remove perTryTimeout and retryOn");
    }
    r.unsupported("retryRemoteLocalities", IGNORED_FIELD, "retries may use the same locality");
    r.unsupported("retryIgnorePreviousHosts", IGNORED_FIELD, "retries may pick a host already tried");
    r.unsupported("backoff", IGNORED_FIELD, "retries use the default 25ms base backoff");
    return new Retry(attempts, perTryTimeout, retryOn);
  }

  private static boolean isStatusCode(String text) {
    try {
      int code = Integer.parseInt(text);
      return code >= 100 && code <= 599;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private Fault fault(FieldReader r) {
    Optional<Delay> delay = r.object("delay", d -> {
      Optional<Duration> fixed = d.duration("fixedDelay");
      d.unsupported("exponentialDelay", UNSUPPORTED_FIELD, "Istio does not support it either; use fixedDelay");
      double percentage = percentage(d);
      if (fixed.isEmpty() && !d.has("fixedDelay") && !d.has("exponentialDelay")) {
        d.missing("fixedDelay", "a duration such as 5s");
      }
      return fixed.map(f -> new Delay(f, percentage)).orElse(null);
    });
    Optional<Abort> abort = r.object("abort", a -> {
      Optional<Integer> status = a.integer("httpStatus", 200, 599).map(Long::intValue);
      Optional<String> grpc = a.string("grpcStatus");
      grpc.filter(g -> !GRPC_STATUS.contains(g)).ifPresent(g -> a.invalid("grpcStatus",
          new ScalarValue(g, a.position()), "a gRPC status name such as UNAVAILABLE or NOT_FOUND",
          "use a name from https://grpc.io/docs/guides/status-codes/"));
      a.unsupported("http2Error", UNSUPPORTED_FIELD, "Istio does not support it either; use httpStatus");
      double percentage = percentage(a);
      if (a.has("httpStatus") == a.has("grpcStatus") && !a.has("http2Error")) {
        a.invalidHere("abort needs exactly one of httpStatus and grpcStatus", "set httpStatus, e.g. 503");
      }
      return new Abort(status, grpc, percentage);
    });
    if (!r.has("delay") && !r.has("abort")) {
      r.invalidHere("fault injection without delay or abort (expected: at least one)", "add a delay or an abort");
    }
    return new Fault(delay, abort);
  }

  /** {@code percentage.value}, or the deprecated integer {@code percent}; 100 when neither is set. */
  private static double percentage(FieldReader r) {
    Optional<Double> percentage = r.object("percentage", CommonReaders::percent);
    Optional<Long> percent = r.integer("percent", 0, 100);
    r.deprecated("percent", "percentage: {value: ...}");
    return percentage.or(() -> percent.map(Long::doubleValue)).orElse(100.0);
  }

  private CorsPolicy cors(FieldReader r) {
    List<StringMatch> origins = new ArrayList<>(r.list("allowOrigins", m -> CommonReaders.stringMatch(m, false)));
    for (String origin : r.stringList("allowOrigin")) {
      origins.add(new StringMatch(StringMatch.Kind.EXACT, origin));
    }
    r.deprecated("allowOrigin", "allowOrigins: [{exact: ...}]");
    List<String> methods = r.stringList("allowMethods");
    for (String method : methods) {
      if (!CORS_METHODS.contains(method)) {
        r.invalid("allowMethods", new ScalarValue(method, r.position()), "one of " + String.join(", ",
            Arrays.stream(CORS_METHODS.toArray(String[]::new)).sorted().toList()), "use an upper-case HTTP method");
      }
    }
    List<String> allowHeaders = r.stringList("allowHeaders");
    List<String> exposeHeaders = r.stringList("exposeHeaders");
    Optional<Duration> maxAge = r.duration("maxAge", Duration.ZERO);
    maxAge.filter(age -> age.getNano() != 0).ifPresent(age -> r.invalid("maxAge",
        new ScalarValue(Durations.format(age), r.position()), "whole seconds", "round maxAge to seconds"));
    Optional<Boolean> credentials = r.bool("allowCredentials");
    r.unsupported("unmatchedPreflights", IGNORED_FIELD, "unmatched preflight requests are forwarded");
    return new CorsPolicy(origins, methods, allowHeaders, exposeHeaders, maxAge, credentials);
  }

  private TlsRoute tlsRoute(FieldReader r, List<String> hosts) {
    List<TlsMatch> match = r.list("match", m -> {
      List<String> sni = m.stringList("sniHosts");
      if (sni.isEmpty()) {
        m.missing("sniHosts", "at least one SNI host");
      }
      for (String host : sni) {
        if (hosts.stream().noneMatch(h -> HostNames.matches(h, host) || HostNames.matches(host, h))) {
          m.invalid("sniHosts", new ScalarValue(host, m.position()),
              "a host covered by the VirtualService's hosts " + hosts, "add " + host + " to hosts, or fix it");
        }
      }
      List<String> subnets = m.stringList("destinationSubnets");
      Optional<Integer> port = m.port("port");
      Map<String, String> labels = m.stringMap("sourceLabels");
      unsupportedL4(m);
      return new TlsMatch(sni, subnets, port, labels);
    });
    if (match.isEmpty() && !r.has("match")) {
      r.missing("match", "a match with sniHosts");
    }
    List<RouteDestination> route = routeDestinations(r);
    return new TlsRoute(match, route);
  }

  private TcpRoute tcpRoute(FieldReader r) {
    List<L4Match> match = r.list("match", m -> {
      List<String> subnets = m.stringList("destinationSubnets");
      Optional<Integer> port = m.port("port");
      Map<String, String> labels = m.stringMap("sourceLabels");
      unsupportedL4(m);
      m.unsupported("sourceSubnet", UNSUPPORTED_FIELD, "a match condition meshfed cannot evaluate");
      return new L4Match(subnets, port, labels);
    });
    return new TcpRoute(match, routeDestinations(r));
  }

  private static void unsupportedL4(FieldReader m) {
    m.unsupported("gateways", UNSUPPORTED_FIELD, "a match condition meshfed cannot evaluate");
    m.unsupported("sourceNamespace", UNSUPPORTED_FIELD, "a match condition meshfed cannot evaluate");
  }

  private List<RouteDestination> routeDestinations(FieldReader r) {
    List<RouteDestination> route = r.list("route", d -> {
      Optional<Destination> destination = d.object("destination", x -> CommonReaders.destination(x, context));
      if (destination.isEmpty() && !d.has("destination")) {
        d.missing("destination", "a destination with a host");
      }
      int weight = d.integer("weight", 0, Integer.MAX_VALUE).orElse(0L).intValue();
      return destination.map(x -> new RouteDestination(x, weight)).orElse(null);
    });
    if (!r.has("route")) {
      r.missing("route", "at least one destination");
    }
    if (route.size() > 1 && route.stream().mapToInt(RouteDestination::weight).sum() == 0) {
      r.invalidHere("total destination weight 0 (expected: > 0 when there are several destinations)",
          "give the destinations weights");
    }
    return route;
  }
}
