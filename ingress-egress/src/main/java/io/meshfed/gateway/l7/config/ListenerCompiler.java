package io.meshfed.gateway.l7.config;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.listener.FilterChainSpec;
import io.meshfed.gateway.l7.listener.HttpFilterSpec;
import io.meshfed.gateway.l7.listener.HttpManagerSpec;
import io.meshfed.gateway.l7.listener.ListenerSpec;
import io.meshfed.gateway.l7.listener.TcpProxySpec;
import io.meshfed.gateway.l7.listener.TracingSpec;
import io.meshfed.gateway.l7.routing.RouteTable;
import io.meshfed.gateway.l7.security.ExtAuthzSpec;
import io.meshfed.gateway.l7.tls.DownstreamTlsSpec;
import io.meshfed.gateway.l7.tls.SecretSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Compiles an LDS {@code Listener} (profile: "Listeners (LDS)", ingress and egress roles). */
final class ListenerCompiler {

  private static final String HCM = "envoy.extensions.filters.network.http_connection_manager.v3"
      + ".HttpConnectionManager";
  private static final String TCP_PROXY = "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  private static final String TLS_INSPECTOR = "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
  private static final String JWT = "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";
  private static final String RBAC_FILTER = "envoy.extensions.filters.http.rbac.v3.RBAC";
  private static final String FAULT = "envoy.extensions.filters.http.fault.v3.HTTPFault";
  private static final String CORS = "envoy.extensions.filters.http.cors.v3.Cors";
  private static final String EXT_AUTHZ = "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";
  private static final String ROUTER = "envoy.extensions.filters.http.router.v3.Router";

  private ListenerCompiler() {
  }

  static ListenerSpec compile(Listener listener, Problems problems, List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(listener, "", problems, Set.of("name", "address", "filter_chains", "listener_filters",
        "default_filter_chain", "traffic_direction", "listener_filters_timeout",
        "continue_on_listener_filters_timeout", "per_connection_buffer_limit_bytes"));
    var address = listener.getAddress();
    if (!address.hasSocketAddress()) {
      problems.unsupported("address", "address kind " + address.getAddressCase() + " (expected: socket_address)");
    }
    var socket = address.getSocketAddress();
    Protos.allowOnly(socket, "address.socket_address", problems, Set.of("address", "port_value", "protocol"));
    if (socket.getProtocol() != io.envoyproxy.envoy.config.core.v3.SocketAddress.Protocol.TCP) {
      problems.unsupported("address.socket_address.protocol", "UDP listeners");
    }
    if (socket.getPortValue() > 65535) {
      problems.error("address.socket_address.port_value", socket.getPortValue() + " (expected: 0 to 65535)");
    }
    boolean tlsInspector = false;
    for (int i = 0; i < listener.getListenerFiltersCount(); i++) {
      ListenerFilter filter = listener.getListenerFilters(i);
      String type = Protos.typeName(filter.getTypedConfig());
      if (type.equals(TLS_INSPECTOR) || filter.getName().equals("envoy.filters.listener.tls_inspector")) {
        tlsInspector = true;
      } else {
        problems.unsupported("listener_filters[" + i + "]", "listener filter " + nameOf(filter.getName(), type)
            + " (expected: envoy.filters.listener.tls_inspector)");
      }
    }
    List<FilterChainSpec> chains = new ArrayList<>();
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      FilterChainSpec chain = chain(listener.getFilterChains(i), listener.getName(), "filter_chains[" + i + "]",
          problems, inlineSecrets);
      if (chain != null) {
        chains.add(chain);
      }
    }
    FilterChainSpec fallback = listener.hasDefaultFilterChain()
        ? chain(listener.getDefaultFilterChain(), listener.getName(), "default_filter_chain", problems,
            inlineSecrets)
        : null;
    if (chains.isEmpty() && fallback == null) {
      problems.error("filter_chains", "empty (expected: at least one filter chain)");
    }
    return new ListenerSpec(listener.getName(), socket.getAddress().isEmpty() ? "0.0.0.0" : socket.getAddress(),
        socket.getPortValue(), tlsInspector, List.copyOf(chains), fallback);
  }

  private static String nameOf(String name, String type) {
    return name.isEmpty() ? type : name;
  }

  private static FilterChainSpec chain(FilterChain chain, String owner, String path, Problems problems,
                                       List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(chain, path, problems, Set.of("filter_chain_match", "filters", "transport_socket", "name",
        "metadata", "transport_socket_connect_timeout"));
    var match = chain.getFilterChainMatch();
    Protos.allowOnly(match, path + ".filter_chain_match", problems, Set.of("server_names", "transport_protocol"));
    List<String> serverNames = new ArrayList<>();
    for (String name : match.getServerNamesList()) {
      serverNames.add(name.toLowerCase(Locale.ROOT));
    }
    String transport = match.getTransportProtocol();
    if (!transport.isEmpty() && !transport.equals("tls") && !transport.equals("raw_buffer")) {
      problems.error(path + ".filter_chain_match.transport_protocol", transport + " (expected: tls or raw_buffer)");
    }
    DownstreamTlsSpec tls = null;
    if (chain.hasTransportSocket()) {
      var socket = chain.getTransportSocket();
      String type = Protos.typeName(socket.getTypedConfig());
      if (type.equals(TlsCompiler.TLS_SOCKET)) {
        DownstreamTlsContext context = Protos.unpack(socket.getTypedConfig(), DownstreamTlsContext.class,
            path + ".transport_socket.typed_config", problems);
        if (context != null) {
          tls = TlsCompiler.downstream(context, owner, path + ".transport_socket.typed_config", problems,
              inlineSecrets);
        }
      } else if (!type.equals(TlsCompiler.RAW_BUFFER)) {
        problems.unsupported(path + ".transport_socket", "transport socket " + nameOf(socket.getName(), type)
            + " (expected: " + TlsCompiler.TLS_SOCKET + ")");
      }
    }
    HttpManagerSpec http = null;
    TcpProxySpec tcp = null;
    for (int i = 0; i < chain.getFiltersCount(); i++) {
      Filter filter = chain.getFilters(i);
      String at = path + ".filters[" + i + "]";
      String type = Protos.typeName(filter.getTypedConfig());
      if (http != null || tcp != null) {
        problems.unsupported(at, "network filter " + nameOf(filter.getName(), type)
            + " after a terminal filter");
      } else if (type.equals(HCM)) {
        HttpConnectionManager hcm = Protos.unpack(filter.getTypedConfig(), HttpConnectionManager.class,
            at + ".typed_config", problems);
        http = hcm == null ? null : httpManager(hcm, at + ".typed_config", problems);
      } else if (type.equals(TCP_PROXY)) {
        TcpProxy proxy = Protos.unpack(filter.getTypedConfig(), TcpProxy.class, at + ".typed_config", problems);
        tcp = proxy == null ? null : tcpProxy(proxy, at + ".typed_config", problems);
      } else {
        problems.unsupported(at, nameOf(filter.getName(), type));
      }
    }
    if (http == null && tcp == null) {
      problems.error(path + ".filters", "no terminal filter (expected: envoy.filters.network.http_connection_manager"
          + " or envoy.filters.network.tcp_proxy)");
      return null;
    }
    if (tcp != null && tls != null) {
      problems.unsupported(path + ".transport_socket", "TLS termination in front of tcp_proxy (expected: "
          + "passthrough)");
    }
    return new FilterChainSpec(chain.getName().isEmpty() ? path : chain.getName(), List.copyOf(serverNames),
        transport, tls, http, tcp);
  }

  private static TcpProxySpec tcpProxy(TcpProxy proxy, String path, Problems problems) {
    Protos.allowOnly(proxy, path, problems, Set.of("stat_prefix", "cluster", "idle_timeout"));
    if (proxy.getCluster().isEmpty()) {
      problems.error(path + ".cluster", "empty (expected: outbound|443||<host>)");
    }
    return new TcpProxySpec(proxy.getStatPrefix(), proxy.getCluster(),
        Protos.durationZeroDisables(proxy.hasIdleTimeout(), proxy.getIdleTimeout(), Duration.ofHours(1)));
  }

  private static HttpManagerSpec httpManager(HttpConnectionManager hcm, String path, Problems problems) {
    Protos.allowOnly(hcm, path, problems, Set.of("codec_type", "stat_prefix", "rds", "route_config",
        "http_filters", "use_remote_address", "xff_num_trusted_hops", "request_headers_timeout",
        "stream_idle_timeout", "common_http_protocol_options", "max_request_headers_kb", "upgrade_configs",
        "preserve_external_request_id", "http2_protocol_options", "generate_request_id", "normalize_path",
        "merge_slashes", "server_name", "forward_client_cert_details", "path_with_escaped_slashes_action",
        "always_set_request_id_in_response", "tracing"));
    String routeName = null;
    RouteTable inline = null;
    switch (hcm.getRouteSpecifierCase()) {
      case RDS -> {
        var rds = hcm.getRds();
        Protos.allowOnly(rds, path + ".rds", problems, Set.of("route_config_name", "config_source"));
        Protos.allowOnly(rds.getConfigSource(), path + ".rds.config_source", problems, Set.of("ads",
            "resource_api_version", "initial_fetch_timeout"));
        if (!rds.getConfigSource().hasAds()) {
          problems.unsupported(path + ".rds.config_source", "config source other than ads {}");
        }
        routeName = rds.getRouteConfigName();
      }
      case ROUTE_CONFIG -> {
        // compiled below, with errors re-rooted under this field
      }
      default -> problems.error(path, "no routes (expected: rds {route_config_name} or route_config)");
    }
    if (hcm.getRouteSpecifierCase() == HttpConnectionManager.RouteSpecifierCase.ROUTE_CONFIG) {
      // Compile again against this problem collector so errors carry the listener's field path.
      Problems scoped = new Problems(ConfigError.Kind.LISTENER, "", problems.role());
      inline = RouteCompiler.compile(hcm.getRouteConfig(), scoped);
      for (ConfigError error : scoped.errors()) {
        problems.error(path + ".route_config" + (error.field().isEmpty() ? "" : "." + error.field()),
            error.reason());
      }
    }
    if (hcm.getCodecType() == HttpConnectionManager.CodecType.HTTP3) {
      problems.unsupported(path + ".codec_type", "HTTP3 (expected: AUTO, HTTP1 or HTTP2)");
    }
    if (hcm.getForwardClientCertDetails() != HttpConnectionManager.ForwardClientCertDetails.SANITIZE) {
      problems.unsupported(path + ".forward_client_cert_details", hcm.getForwardClientCertDetails()
          + " (expected: SANITIZE)");
    }
    Duration idle = Duration.ofHours(1);
    int maxHeaders = 100;
    if (hcm.hasCommonHttpProtocolOptions()) {
      var common = hcm.getCommonHttpProtocolOptions();
      Protos.allowOnly(common, path + ".common_http_protocol_options", problems, Set.of("idle_timeout",
          "max_headers_count", "headers_with_underscores_action"));
      idle = Protos.durationZeroDisables(common.hasIdleTimeout(), common.getIdleTimeout(), idle);
      if (common.hasMaxHeadersCount()) {
        maxHeaders = common.getMaxHeadersCount().getValue();
        if (maxHeaders < 1) {
          problems.error(path + ".common_http_protocol_options.max_headers_count", maxHeaders
              + " (expected: at least 1)");
        }
      }
    }
    int headerBytes = 60 * 1024;
    if (hcm.hasMaxRequestHeadersKb()) {
      int kb = hcm.getMaxRequestHeadersKb().getValue();
      if (kb < 1 || kb > 8192) {
        problems.error(path + ".max_request_headers_kb", kb + " (expected: 1 to 8192)");
      } else {
        headerBytes = kb * 1024;
      }
    }
    // WebSocket: Istio always enables it on gateways; an explicit upgrade config with enabled: false turns it off.
    boolean websocket = true;
    for (int i = 0; i < hcm.getUpgradeConfigsCount(); i++) {
      var upgrade = hcm.getUpgradeConfigs(i);
      String at = path + ".upgrade_configs[" + i + "]";
      Protos.allowOnly(upgrade, at, problems, Set.of("upgrade_type", "enabled"));
      if (!upgrade.getUpgradeType().equalsIgnoreCase("websocket")) {
        problems.unsupported(at + ".upgrade_type", upgrade.getUpgradeType() + " (expected: websocket)");
      } else if (upgrade.hasEnabled() && !upgrade.getEnabled().getValue()) {
        websocket = false;
      }
    }
    List<HttpFilterSpec> filters = new ArrayList<>();
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilterSpec filter = httpFilter(hcm.getHttpFilters(i), path + ".http_filters[" + i + "]", problems);
      if (filter != null) {
        filters.add(filter);
      }
    }
    if (filters.isEmpty() || !(filters.get(filters.size() - 1) instanceof HttpFilterSpec.Router)) {
      problems.error(path + ".http_filters", "does not end with envoy.filters.http.router (expected: the router "
          + "as the last HTTP filter)");
    }
    Duration headersTimeout = hcm.hasRequestHeadersTimeout()
        ? Protos.durationZeroDisables(true, hcm.getRequestHeadersTimeout(), null) : null;
    Duration streamIdle = Protos.durationZeroDisables(hcm.hasStreamIdleTimeout(), hcm.getStreamIdleTimeout(),
        Duration.ofMinutes(5));
    return new HttpManagerSpec(hcm.getStatPrefix(), routeName, inline, hcm.hasUseRemoteAddress()
        && hcm.getUseRemoteAddress().getValue(), hcm.getXffNumTrustedHops(), hcm.getPreserveExternalRequestId(),
        hcm.hasRequestHeadersTimeout() && headersTimeout == null ? Duration.ZERO : headersTimeout, streamIdle, idle,
        maxHeaders, headerBytes, websocket, List.copyOf(filters),
        // The ingress gateway is where external clients meet the mesh: the id they see is the one to trace.
        hcm.getAlwaysSetRequestIdInResponse() || problems.role() == Role.INGRESS,
        hcm.hasTracing() ? tracing(hcm.getTracing(), path + ".tracing", problems) : null);
  }

  /** Envoy's {@code tracing}: sampling of new traces only; no spans are reported, so no provider is taken. */
  private static TracingSpec tracing(HttpConnectionManager.Tracing tracing, String path, Problems problems) {
    Protos.allowOnly(tracing, path, problems, Set.of("random_sampling"));
    double percent = 100;
    if (tracing.hasRandomSampling()) {
      percent = tracing.getRandomSampling().getValue();
      if (!(percent >= 0 && percent <= 100)) {
        problems.error(path + ".random_sampling.value", percent + " (expected: 0 to 100)");
        percent = 100;
      }
    }
    return new TracingSpec(percent);
  }

  private static HttpFilterSpec httpFilter(HttpFilter filter, String path, Problems problems) {
    Protos.allowOnly(filter, path, problems, Set.of("name", "typed_config"));
    String type = Protos.typeName(filter.getTypedConfig());
    String at = path + ".typed_config";
    String name = filter.getName();
    switch (type) {
      case JWT -> {
        JwtAuthentication config = Protos.unpack(filter.getTypedConfig(), JwtAuthentication.class, at, problems);
        return config == null ? null : new HttpFilterSpec.Jwt(name, SecurityCompiler.jwt(config, at, problems));
      }
      case RBAC_FILTER -> {
        var config = Protos.unpack(filter.getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class, at, problems);
        if (config == null) {
          return null;
        }
        Protos.allowOnly(config, at, problems, Set.of("rules", "shadow_rules", "shadow_rules_stat_prefix",
            "rules_stat_prefix"));
        RBAC rules = config.hasRules() ? config.getRules() : null;
        return new HttpFilterSpec.Rbac(name,
            rules == null ? null : SecurityCompiler.rbac(rules, false, at + ".rules", problems),
            config.hasShadowRules() ? SecurityCompiler.rbac(config.getShadowRules(), true, at + ".shadow_rules",
                problems) : null,
            config.getShadowRulesStatPrefix());
      }
      case EXT_AUTHZ -> {
        ExtAuthz config = Protos.unpack(filter.getTypedConfig(), ExtAuthz.class, at, problems);
        ExtAuthzSpec spec = config == null ? null : SecurityCompiler.extAuthz(config, at, problems);
        return spec == null ? null : new HttpFilterSpec.ExtAuthz(name, spec);
      }
      case FAULT -> {
        HTTPFault config = Protos.unpack(filter.getTypedConfig(), HTTPFault.class, at, problems);
        if (config == null) {
          return null;
        }
        boolean empty = !config.hasDelay() && !config.hasAbort();
        return new HttpFilterSpec.Fault(name, empty ? null : RouteCompiler.fault(config, at, problems));
      }
      case CORS -> {
        Cors config = Protos.unpack(filter.getTypedConfig(), Cors.class, at, problems);
        if (config != null) {
          Protos.allowOnly(config, at, problems, Set.of());
        }
        return new HttpFilterSpec.Cors(name, null);
      }
      case ROUTER -> {
        var config = Protos.unpack(filter.getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.class, at, problems);
        if (config != null) {
          Protos.allowOnly(config, at, problems, Set.of("suppress_envoy_headers", "start_child_span"));
        }
        return new HttpFilterSpec.Router(name);
      }
      default -> {
        problems.unsupported(path, "HTTP filter " + nameOf(name, type));
        return null;
      }
    }
  }
}
