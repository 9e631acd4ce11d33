package io.meshfed.control.plane.istio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's VirtualService (networking.istio.io): routing rules for a set of hosts, applied to the mesh and/or to
 * gateways.
 *
 * @param hosts as written; see {@link #fqdnHosts()}
 * @param gateways as written; empty means {@code mesh} only. See {@link #gatewayRefs()}
 * @param exportTo namespaces the rules are visible to; empty means all
 */
public record VirtualService(ResourceMeta meta, List<String> hosts, List<String> fqdnHosts, List<String> gateways,
    List<HttpRoute> http, List<TlsRoute> tls, List<TcpRoute> tcp, List<String> exportTo) implements ConfigResource {

  /** The reserved gateway name for the mesh itself (in meshfed: the east-west gateways' outbound listeners). */
  public static final String MESH = "mesh";

  public VirtualService {
    hosts = List.copyOf(hosts);
    fqdnHosts = List.copyOf(fqdnHosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    tls = List.copyOf(tls);
    tcp = List.copyOf(tcp);
    exportTo = List.copyOf(exportTo);
  }

  /**
   * The gateways as {@code namespace/name} ({@code name} alone means the VirtualService's namespace), plus
   * {@code mesh} when listed or when no gateway is.
   */
  public List<String> gatewayRefs() {
    if (gateways.isEmpty()) {
      return List.of(MESH);
    }
    return gateways.stream().map(g -> g.equals(MESH) || g.contains("/") ? g : meta.namespace() + "/" + g).toList();
  }

  public boolean appliesToMesh() {
    return gatewayRefs().contains(MESH);
  }

  /** One HTTP rule: the first rule whose {@code match} (any of them; none means all) fits the request applies. */
  public record HttpRoute(Optional<String> name, List<HttpMatch> match, List<HttpRouteDestination> route,
      Optional<Redirect> redirect, Optional<Rewrite> rewrite, Optional<Duration> timeout, Optional<Retry> retries,
      Optional<Fault> fault, Optional<Destination> mirror, Optional<Double> mirrorPercentage,
      Optional<CorsPolicy> corsPolicy, Optional<Headers> headers) {

    public HttpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }

    /** The mirrored share: {@code mirrorPercentage} or, when a mirror is set without it, 100. */
    public double effectiveMirrorPercentage() {
      return mirror.isEmpty() ? 0 : mirrorPercentage.orElse(100.0);
    }
  }

  /** All present conditions must hold. */
  public record HttpMatch(Optional<String> name, Optional<StringMatch> uri, Optional<StringMatch> method,
      Map<String, StringMatch> headers, Map<String, StringMatch> queryParams, Optional<Integer> port,
      Map<String, String> sourceLabels) {

    public HttpMatch {
      headers = Map.copyOf(headers);
      queryParams = Map.copyOf(queryParams);
      sourceLabels = Map.copyOf(sourceLabels);
    }
  }

  /**
   * A weighted destination. Weights are relative: a destination receives weight / (sum of weights) of the
   * requests; a lone destination receives everything whatever its weight; weight 0 (or unset) receives nothing
   * when there are several.
   */
  public record HttpRouteDestination(Destination destination, int weight, Optional<Headers> headers) {
  }

  /**
   * @param port a fixed port for the Location header
   * @param derivePort {@code FROM_PROTOCOL_DEFAULT} or {@code FROM_REQUEST_PORT}
   * @param redirectCode 301 unless set
   */
  public record Redirect(Optional<String> uri, Optional<String> authority, Optional<Integer> port,
      Optional<String> derivePort, Optional<String> scheme, int redirectCode) {
  }

  /** {@code uri} replaces the matched prefix (or the whole path for exact/regex matches). */
  public record Rewrite(Optional<String> uri, Optional<String> authority, Optional<RegexRewrite> uriRegexRewrite) {
  }

  /** Rewrites the path: RE2 {@code match} replaced by {@code rewrite} (with {@code \1} groups). */
  public record RegexRewrite(String match, String rewrite) {
  }

  /**
   * Istio's retry policy. When a route has no {@code retries}, Istio's default applies (2 attempts on
   * connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes); {@code attempts: 0} disables
   * retries.
   *
   * @param attempts retries after the first try
   * @param perTryTimeout per try, including the first; the route timeout when unset
   * @param retryOn Envoy retry conditions and status codes, e.g. {@code [5xx, connect-failure, 503]}
   */
  public record Retry(int attempts, Optional<Duration> perTryTimeout, List<String> retryOn) {

    public Retry {
      retryOn = List.copyOf(retryOn);
    }
  }

  /** Fault injection; a route with a fault still routes the requests that are not aborted. */
  public record Fault(Optional<Delay> delay, Optional<Abort> abort) {
  }

  /** @param percentage share of requests delayed, 0..100 (100 when unset) */
  public record Delay(Duration fixedDelay, double percentage) {
  }

  /** Exactly one of {@code httpStatus} / {@code grpcStatus}. @param percentage 0..100 (100 when unset) */
  public record Abort(Optional<Integer> httpStatus, Optional<String> grpcStatus, double percentage) {
  }

  /** CORS: the gateway answers preflights and adds the Access-Control-* headers to matching origins. */
  public record CorsPolicy(List<StringMatch> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
      List<String> exposeHeaders, Optional<Duration> maxAge, Optional<Boolean> allowCredentials) {

    public CorsPolicy {
      allowOrigins = List.copyOf(allowOrigins);
      allowMethods = List.copyOf(allowMethods);
      allowHeaders = List.copyOf(allowHeaders);
      exposeHeaders = List.copyOf(exposeHeaders);
    }
  }

  /** A TLS rule, matched on SNI (and port) without terminating TLS. */
  public record TlsRoute(List<TlsMatch> match, List<RouteDestination> route) {

    public TlsRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /** @param sniHosts required; must be covered by the VirtualService's hosts */
  public record TlsMatch(List<String> sniHosts, List<String> destinationSubnets, Optional<Integer> port,
      Map<String, String> sourceLabels) {

    public TlsMatch {
      sniHosts = List.copyOf(sniHosts);
      destinationSubnets = List.copyOf(destinationSubnets);
      sourceLabels = Map.copyOf(sourceLabels);
    }
  }

  /** An opaque TCP rule; the first whose match fits the connection applies. */
  public record TcpRoute(List<L4Match> match, List<RouteDestination> route) {

    public TcpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /** Matches a TCP connection by destination subnet, port and source workload labels. */
  public record L4Match(List<String> destinationSubnets, Optional<Integer> port, Map<String, String> sourceLabels) {

    public L4Match {
      destinationSubnets = List.copyOf(destinationSubnets);
      sourceLabels = Map.copyOf(sourceLabels);
    }
  }

  /** A weighted L4 destination; weights are relative as for HTTP. */
  public record RouteDestination(Destination destination, int weight) {
  }
}
