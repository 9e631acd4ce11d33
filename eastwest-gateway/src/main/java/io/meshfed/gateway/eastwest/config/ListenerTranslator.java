package io.meshfed.gateway.eastwest.config;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.config.TlsContextTranslator.Resolved;
import io.meshfed.gateway.eastwest.rbac.RbacPolicy;
import io.meshfed.gateway.eastwest.tls.ServerTlsSpec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LDS for {@code ROLE=eastwest}: {@code 0.0.0.0_15443} (tls_inspector; per-SNI chains that pass TLS through to a
 * {@code tcp_proxy} or terminate it and apply network RBAC before a {@code tcp_proxy} or an HTTP connection manager)
 * and {@code 0.0.0.0_15001} (a plaintext HTTP chain and TLS passthrough chains).
 */
final class ListenerTranslator {

  /** Envoy's {@code listener_filters_timeout} default. */
  static final Duration DEFAULT_INSPECTION_TIMEOUT = Duration.ofSeconds(15);
  /** Envoy's {@code tcp_proxy.idle_timeout} default. */
  static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private final TlsContextTranslator tls;
  private final Map<String, RouteTable> routes;
  private final Problems problems;

  ListenerTranslator(TlsContextTranslator tls, Map<String, RouteTable> routes, Problems problems) {
    this.tls = tls;
    this.routes = routes;
    this.problems = problems;
  }

  ListenerConfig translate(Listener listener) {
    Scope scope = problems.in(ResourceType.LISTENER, listener.getName());
    int before = scope.problemCount();
    scope.allowOnly(listener, Set.of("name", "address", "filter_chains", "listener_filters",
        "listener_filters_timeout", "continue_on_listener_filters_timeout", "traffic_direction", "stat_prefix",
        "metadata"));
    InetSocketAddress address = EndpointTranslator.socketAddress(listener.getAddress(), scope.field("address"));
    boolean inspectsTls = false;
    for (int i = 0; i < listener.getListenerFiltersCount(); i++) {
      ListenerFilter filter = listener.getListenerFilters(i);
      Scope at = scope.index("listener_filters", i);
      at.allowOnly(filter, Set.of("name", "typed_config"));
      boolean inspector = filter.hasTypedConfig()
          ? filter.getTypedConfig().getTypeUrl().equals(Scope.typeUrl(TlsInspector.class))
          : filter.getName().equals(TLS_INSPECTOR);
      if (!inspector) {
        at.error(filter.getName() + " (" + Scope.UNSUPPORTED + "; only " + TLS_INSPECTOR + ")");
        continue;
      }
      if (filter.hasTypedConfig()) {
        TlsInspector config = at.unpack(filter.getTypedConfig(), TlsInspector.class,
            Scope.typeUrl(TlsInspector.class), filter.getName());
        if (config != null) {
          at.field("typed_config").allowOnly(config, Set.of());
        }
      }
      inspectsTls = true;
    }
    if (listener.getContinueOnListenerFiltersTimeout()) {
      scope.field("continue_on_listener_filters_timeout").error("true (expected: false; a hello that does not"
          + " complete in time is closed)");
    }
    Duration timeout = listener.hasListenerFiltersTimeout() ? Scope.duration(listener.getListenerFiltersTimeout())
        : DEFAULT_INSPECTION_TIMEOUT;
    List<FilterChainConfig> chains = new ArrayList<>();
    Map<ChainMatch, Integer> seen = new HashMap<>();
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      Scope at = scope.index("filter_chains", i);
      FilterChainConfig chain = chain(i, listener.getFilterChains(i), at, inspectsTls);
      if (chain == null) {
        continue;
      }
      for (ChainMatch key : expand(chain.match())) {
        Integer previous = seen.putIfAbsent(key, i);
        if (previous != null) {
          at.field("filter_chain_match").error("overlaps filter_chains[" + previous + "] on " + describe(key)
              + " (expected: unique filter chain matches; Envoy rejects duplicates too)");
          break;
        }
      }
      chains.add(chain);
    }
    if (listener.getFilterChainsCount() == 0) {
      scope.field("filter_chains").error("[] (expected: at least one filter chain)");
    }
    if (scope.problemCount() != before) {
      return null;
    }
    return new ListenerConfig(listener.getName(), address, inspectsTls, timeout, chains);
  }

  /** One key per (server name, transport, ALPN) combination the chain claims, for duplicate detection. */
  private static List<ChainMatch> expand(ChainMatch match) {
    List<ChainMatch> keys = new ArrayList<>();
    Set<String> names = match.serverNames().isEmpty() ? Set.of("") : match.serverNames();
    Set<String> protocols = match.applicationProtocols().isEmpty() ? Set.of("") : match.applicationProtocols();
    for (String name : names) {
      for (String protocol : protocols) {
        keys.add(new ChainMatch(name.isEmpty() ? Set.of() : Set.of(name), match.transportProtocol(),
            protocol.isEmpty() ? Set.of() : Set.of(protocol)));
      }
    }
    return keys;
  }

  private static String describe(ChainMatch key) {
    return "server name '" + String.join("", key.serverNames()) + "', transport '" + key.transportProtocol()
        + "', ALPN '" + String.join("", key.applicationProtocols()) + "'";
  }

  private FilterChainConfig chain(int index, FilterChain chain, Scope scope, boolean inspectsTls) {
    int before = scope.problemCount();
    scope.allowOnly(chain, Set.of("filter_chain_match", "filters", "transport_socket", "name", "metadata"));
    ChainMatch match = match(chain.getFilterChainMatch(), scope.field("filter_chain_match"), inspectsTls);
    Set<String> missing = new LinkedHashSet<>();
    boolean terminates = false;
    ServerTlsSpec serverTls = null;
    if (chain.hasTransportSocket()) {
      Scope at = scope.field("transport_socket");
      at.allowOnly(chain.getTransportSocket(), Set.of("name", "typed_config"));
      Any config = chain.getTransportSocket().getTypedConfig();
      if (!config.getTypeUrl().equals(Scope.typeUrl(RawBuffer.class))) {
        DownstreamTlsContext context = at.unpack(config, DownstreamTlsContext.class,
            Scope.typeUrl(DownstreamTlsContext.class), chain.getTransportSocket().getName());
        if (context != null) {
          terminates = true;
          Resolved<ServerTlsSpec> resolved = tls.downstream(context, at.field("typed_config"));
          serverTls = resolved.value();
          if (!resolved.missing().isEmpty()) {
            missing.add(resolved.missing());
          }
        }
      }
    }
    List<RbacPolicy> rbac = new ArrayList<>();
    ChainTarget target = null;
    for (int i = 0; i < chain.getFiltersCount(); i++) {
      Filter filter = chain.getFilters(i);
      Scope at = scope.index("filters", i);
      at.allowOnly(filter, Set.of("name", "typed_config"));
      if (target != null) {
        at.error(filter.getName() + " after the terminal filter (expected: " + "tcp_proxy or http_connection_manager"
            + " last)");
        continue;
      }
      String type = filter.getTypedConfig().getTypeUrl();
      if (type.equals(Scope.typeUrl(RBAC.class))) {
        RBAC config = at.unpack(filter.getTypedConfig(), RBAC.class, type, filter.getName());
        RbacPolicy policy = config == null ? null : RbacTranslator.translate(config, at.field("typed_config"));
        if (policy != null) {
          rbac.add(policy);
        }
      } else if (type.equals(Scope.typeUrl(TcpProxy.class))) {
        TcpProxy config = at.unpack(filter.getTypedConfig(), TcpProxy.class, type, filter.getName());
        target = config == null ? null : tcpProxy(config, at.field("typed_config"));
        if (target == null) {
          return null;
        }
      } else if (type.equals(Scope.typeUrl(HttpConnectionManager.class))) {
        HttpConnectionManager config = at.unpack(filter.getTypedConfig(), HttpConnectionManager.class, type,
            filter.getName());
        target = config == null ? null : http(config, at.field("typed_config"), missing);
        if (target == null) {
          return null;
        }
      } else {
        at.error(filter.getName() + (type.isEmpty() ? "" : " (" + type + ")") + " (" + Scope.UNSUPPORTED + ")");
      }
    }
    if (target == null && scope.problemCount() == before) {
      scope.field("filters").error("no terminal filter (expected: envoy.filters.network.tcp_proxy or"
          + " envoy.filters.network.http_connection_manager last)");
    }
    if (scope.problemCount() != before) {
      return null;
    }
    return new FilterChainConfig(index, chain.getName(), match, terminates, serverTls, rbac, target,
        String.join(", ", missing));
  }

  private static ChainMatch match(FilterChainMatch match, Scope scope, boolean inspectsTls) {
    scope.allowOnly(match, Set.of("server_names", "transport_protocol", "application_protocols"));
    String transport = match.getTransportProtocol();
    if (!transport.isEmpty() && !transport.equals("tls") && !transport.equals("raw_buffer")) {
      scope.field("transport_protocol").error(transport + " (expected: tls, raw_buffer or empty)");
    }
    boolean needsHello = match.getServerNamesCount() > 0 || match.getApplicationProtocolsCount() > 0
        || transport.equals("tls") || transport.equals("raw_buffer");
    if (needsHello && !inspectsTls) {
      scope.error("matches on the ClientHello without the listener filter " + TLS_INSPECTOR
          + " (expected: listener_filters [" + TLS_INSPECTOR + "])");
    }
    if (transport.equals("raw_buffer")
        && (match.getServerNamesCount() > 0 || match.getApplicationProtocolsCount() > 0)) {
      scope.error("raw_buffer with server_names or application_protocols (expected: those only with tls; the"
          + " chain could never match)");
    }
    for (String name : match.getServerNamesList()) {
      if (name.isEmpty() || (name.indexOf('*') >= 0 && !(name.startsWith("*.") && name.indexOf('*', 1) < 0))) {
        scope.field("server_names").error("'" + name + "' (expected: a name or a *.suffix wildcard)");
      }
    }
    return new ChainMatch(new TreeSet<>(match.getServerNamesList()), transport,
        new TreeSet<>(match.getApplicationProtocolsList()));
  }

  private static TcpProxyTarget tcpProxy(TcpProxy proxy, Scope scope) {
    scope.allowOnly(proxy, Set.of("stat_prefix", "cluster", "max_connect_attempts", "idle_timeout"));
    if (proxy.getClusterSpecifierCase() != TcpProxy.ClusterSpecifierCase.CLUSTER || proxy.getCluster().isEmpty()) {
      scope.field("cluster").error("empty (expected: the cluster to forward to; weighted_clusters is "
          + Scope.UNSUPPORTED + ")");
      return null;
    }
    int attempts = proxy.hasMaxConnectAttempts() ? proxy.getMaxConnectAttempts().getValue() : 1;
    if (attempts < 1) {
      scope.field("max_connect_attempts").error(attempts + " (expected: >= 1)");
      return null;
    }
    Duration idle = proxy.hasIdleTimeout() ? Scope.duration(proxy.getIdleTimeout()) : DEFAULT_TCP_IDLE_TIMEOUT;
    return new TcpProxyTarget(proxy.getCluster(), attempts, idle);
  }

  private HttpTarget http(HttpConnectionManager manager, Scope scope, Set<String> missing) {
    int before = scope.problemCount();
    scope.allowOnly(manager, Set.of("stat_prefix", "codec_type", "rds", "route_config", "http_filters",
        "use_remote_address", "request_headers_timeout", "stream_idle_timeout", "common_http_protocol_options",
        "max_request_headers_kb"));
    HttpTarget.Codec codec = switch (manager.getCodecType()) {
      case AUTO -> HttpTarget.Codec.AUTO;
      case HTTP1 -> HttpTarget.Codec.HTTP1;
      case HTTP2 -> HttpTarget.Codec.HTTP2;
      default -> {
        scope.field("codec_type").error(manager.getCodecType() + " (expected: AUTO, HTTP1 or HTTP2)");
        yield HttpTarget.Codec.AUTO;
      }
    };
    for (int i = 0; i < manager.getHttpFiltersCount(); i++) {
      HttpFilter filter = manager.getHttpFilters(i);
      Scope at = scope.index("http_filters", i);
      boolean router = filter.hasTypedConfig()
          ? filter.getTypedConfig().getTypeUrl().equals(Scope.typeUrl(Router.class))
          : filter.getName().equals("envoy.filters.http.router");
      if (!router) {
        at.error(filter.getName() + " (" + Scope.UNSUPPORTED + "; its HTTP forwarder runs only"
            + " envoy.filters.http.router, the L7 engine is the ingress gateway's)");
      } else if (i != manager.getHttpFiltersCount() - 1) {
        at.error("envoy.filters.http.router before other filters (expected: the router last)");
      }
    }
    if (manager.getHttpFiltersCount() == 0) {
      scope.field("http_filters").error("[] (expected: [envoy.filters.http.router])");
    }
    String routeName;
    RouteTable table = null;
    if (manager.hasRds()) {
      var rds = manager.getRds();
      scope.field("rds").allowOnly(rds, Set.of("route_config_name", "config_source"));
      routeName = rds.getRouteConfigName();
      if (rds.hasConfigSource() && !TlsContextTranslator.isAds(rds.getConfigSource())) {
        scope.field("rds.config_source").error("not ads (expected: {ads: {}})");
      }
      table = routes.get(routeName);
      if (table == null) {
        missing.add("RouteConfiguration " + routeName);
      }
    } else if (manager.hasRouteConfig()) {
      routeName = manager.getRouteConfig().getName();
      table = RouteTranslator.table(manager.getRouteConfig(), scope.field("route_config"));
    } else {
      scope.error("no routes (expected: rds {route_config_name, config_source {ads {}}})");
      return null;
    }
    var common = manager.getCommonHttpProtocolOptions();
    scope.field("common_http_protocol_options").allowOnly(common, Set.of("idle_timeout", "max_headers_count"));
    Duration idle = common.hasIdleTimeout() ? Scope.duration(common.getIdleTimeout()) : Duration.ofHours(1);
    Duration streamIdle = manager.hasStreamIdleTimeout() ? Scope.duration(manager.getStreamIdleTimeout())
        : Duration.ofMinutes(5);
    Duration headersTimeout = manager.hasRequestHeadersTimeout()
        ? Scope.duration(manager.getRequestHeadersTimeout()) : Duration.ZERO;
    int maxHeaderBytes = manager.hasMaxRequestHeadersKb() ? manager.getMaxRequestHeadersKb().getValue() * 1024
        : 60 * 1024;
    if (scope.problemCount() != before) {
      return null;
    }
    return new HttpTarget(routeName, table, codec, idle, streamIdle, headersTimeout, maxHeaderBytes);
  }
}
