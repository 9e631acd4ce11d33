package io.meshfed.control.plane.translate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.plane.istio.AuthorizationPolicy;
import io.meshfed.control.plane.istio.Destination;
import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.istio.Gateway.Server;
import io.meshfed.control.plane.istio.Gateway.ServerTls;
import io.meshfed.control.plane.istio.Gateway.TlsMode;
import io.meshfed.control.plane.istio.HostNames;
import io.meshfed.control.plane.istio.Selectors;
import io.meshfed.control.plane.istio.VirtualService;
import io.meshfed.control.plane.istio.VirtualService.RouteDestination;
import io.meshfed.control.plane.istio.Visibility;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.listeners.ListenerParts;
import io.meshfed.control.plane.translate.model.Names;
import io.meshfed.control.plane.translate.routes.HttpRoutes;
import io.meshfed.control.plane.translate.routes.RouteDialect;
import io.meshfed.control.plane.translate.security.AuthorizationFilters;
import io.meshfed.control.plane.translate.security.JwtFilters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ingress and egress gateways (docs/xds-profile.md, "Ingress gateway", "Egress gateway"): the Istio Gateways whose
 * selector matches the group's labels, one listener per server port (80 → 8080 and 443 → 8443, as Istio's
 * ingress gateway Service maps them), filter chains per server, and the routes of the VirtualServices bound to them.
 * Proxyless clients in these roles get the same routes behind API listeners named by the virtual hosts' domains.
 */
final class GatewayServers {

  private record ServerRef(Gateway gateway, int index, Server server, int listenerPort) {

    String gatewayRef() {
      return gateway.meta().namespace() + "/" + gateway.meta().name();
    }

    String field() {
      return "spec.servers[" + index + "]";
    }

    Optional<ServerTls> tls() {
      return server.tls();
    }

    boolean http() {
      return server.port().protocol().isHttp();
    }

    /** HTTPS (or TLS) terminated here: SIMPLE, MUTUAL, ISTIO_MUTUAL. */
    boolean terminates() {
      return server.port().protocol().isTls() && tls().map(t -> t.mode() == TlsMode.SIMPLE
          || t.mode() == TlsMode.MUTUAL || t.mode() == TlsMode.ISTIO_MUTUAL).orElse(false);
    }

    boolean passthrough() {
      return server.port().protocol().isTls() && !terminates();
    }
  }

  private final GroupTranslation gt;
  private final boolean proxyless;
  private final RouteDialect dialect;

  GatewayServers(GroupTranslation gt) {
    this.gt = gt;
    this.proxyless = gt.group.form() == GatewayGroup.Form.PROXYLESS;
    this.dialect = proxyless ? RouteDialect.PROXYLESS : RouteDialect.L7_GATEWAY;
  }

  /** Istio's ingress gateway Service maps 80 and 443 to the unprivileged 8080 and 8443. */
  static int listenerPort(int gatewayPort) {
    return switch (gatewayPort) {
      case 80 -> 8080;
      case 443 -> 8443;
      default -> gatewayPort;
    };
  }

  /** Whether an Istio Gateway applies to a group: its selector matches the group's labels. */
  static boolean selects(Gateway gateway, GatewayGroup group) {
    return Selectors.matches(gateway.selector(), group.labels());
  }

  void translate() {
    Map<Integer, List<ServerRef>> byPort = new TreeMap<>();
    for (Gateway gateway : gt.view.config().gateways()) {
      if (!selects(gateway, gt.group)) {
        continue;
      }
      for (int i = 0; i < gateway.servers().size(); i++) {
        Server server = gateway.servers().get(i);
        byPort.computeIfAbsent(listenerPort(server.port().number()), p -> new ArrayList<>())
            .add(new ServerRef(gateway, i, server, listenerPort(server.port().number())));
      }
    }
    for (Map.Entry<Integer, List<ServerRef>> port : byPort.entrySet()) {
      listener(port.getKey(), port.getValue());
    }
  }

  private void listener(int port, List<ServerRef> servers) {
    List<ServerRef> http = new ArrayList<>();
    List<ServerRef> tls = new ArrayList<>();
    List<ServerRef> tcp = new ArrayList<>();
    for (ServerRef ref : servers) {
      if (ref.tls().map(t -> t.mode() == TlsMode.AUTO_PASSTHROUGH).orElse(false)) {
        gt.problems.report(Kind.UNSUPPORTED, ref.gateway(), ref.field() + ".tls.mode", "AUTO_PASSTHROUGH is the "
            + "east-west gateway's mode; " + gt.group.roleName() + " gateways do not serve it", "select the "
            + "east-west gateway for this server, or use PASSTHROUGH with a VirtualService tls route");
        continue;
      }
      (ref.http() ? http : ref.server().port().protocol().isTls() ? tls : tcp).add(ref);
    }
    String first = !http.isEmpty() ? "HTTP" : !tls.isEmpty() ? "TLS" : "TCP";
    reportConflicts(first.equals("HTTP") ? tls : List.of(), "HTTP", port);
    reportConflicts(first.equals("HTTP") || first.equals("TLS") ? tcp : tcp.subList(Math.min(1, tcp.size()),
        tcp.size()), first, port);
    List<FilterChain> chains = new ArrayList<>();
    Set<String> serverNames = new HashSet<>();
    boolean inspect = false;
    if (!http.isEmpty()) {
      String routeName = "http." + port;
      RouteConfiguration routes = routeConfiguration(routeName, http);
      gt.routes.put(routeName, routes);
      if (proxyless) {
        apiListeners(routes, http.get(0).server().port().number(), routeName);
      } else {
        chains.add(ListenerParts.chain(routeName, List.of(ListenerParts.hcmFilter(hcm(port, routeName)))).build());
      }
    } else if (!tls.isEmpty()) {
      inspect = true;
      for (ServerRef ref : tls) {
        if (ref.terminates()) {
          terminating(ref, port, chains, serverNames);
        } else if (!proxyless) {
          passthrough(ref, chains, serverNames);
        }
      }
    } else if (!tcp.isEmpty() && !proxyless) {
      tcp(tcp.get(0), chains);
    }
    if (proxyless || chains.isEmpty()) {
      return;
    }
    Listener.Builder listener = ListenerParts.listener(port).addAllFilterChains(chains);
    if (inspect) {
      listener.addListenerFilters(ListenerParts.tlsInspector());
    }
    gt.listeners.put(Names.listener(port), listener.build());
  }

  private void reportConflicts(List<ServerRef> refs, String kept, int port) {
    for (ServerRef ref : refs) {
      gt.problems.report(Kind.LISTENER_CONFLICT, ref.gateway(), ref.field() + ".port", "port "
          + ref.server().port().number() + " (listener " + port + ") is already served as " + kept + " by another "
          + "server; a " + ref.server().port().protocol() + " server cannot share it; ignored",
          "give this server its own port number");
    }
  }

  private HttpConnectionManager hcm(int port, String routeName) {
    List<HttpFilter> filters = new ArrayList<>();
    if (!proxyless) {
      JwtFilters.http(gt.view.config().authorizationIndex().requestAuthentications(gt.group.namespace(),
          gt.group.labels()), gt.problems).ifPresent(filters::add);
      filters.addAll(AuthorizationFilters.http(gt.view.config().authorizationIndex().forWorkload(
          gt.group.namespace(), gt.group.labels()), gt.trustDomains, gt.view.extAuthzProviders(),
          this::authorizerCluster, gt.problems));
    }
    filters.add(ListenerParts.fault());
    if (!proxyless) {
      filters.add(ListenerParts.cors());
    }
    filters.add(ListenerParts.router());
    HttpConnectionManager hcm = ListenerParts.hcm("outbound_0.0.0.0_" + port, routeName, filters, !proxyless);
    // Istio's gateways are hops of the trace (meshConfig.enableTracing, on by default) and sample new traces at
    // defaultConfig.tracing.sampling, 1 % by default. Proxyless gRPC clients do their own tracing.
    return proxyless ? hcm : hcm.toBuilder().setTracing(HttpConnectionManager.Tracing.newBuilder()
        .setRandomSampling(Percent.newBuilder().setValue(gt.view.traceSamplingPercent()))).build();
  }

  private String authorizerCluster(AuthorizationPolicy policy, String host, int port) {
    Destination destination = new Destination(host, host, Optional.empty(), Optional.of(port));
    return gt.cluster(policy, "spec.provider", destination, port);
  }

  /** One route configuration for a set of HTTP(S) servers: a virtual host per bound host. */
  private RouteConfiguration routeConfiguration(String name, List<ServerRef> servers) {
    record Vhost(String host, int gatewayPort, List<Route> routes, Set<String> sources, boolean[] requireTls) {
    }
    Map<String, Vhost> vhosts = new TreeMap<>(Comparator.comparing((String h) -> h.equals("*"))
        .thenComparing(Comparator.naturalOrder()));
    Map<String, List<Route>> translated = new LinkedHashMap<>();
    for (ServerRef ref : servers) {
      int gatewayPort = ref.server().port().number();
      boolean redirect = ref.tls().map(ServerTls::httpsRedirect).orElse(false);
      for (VirtualService vs : gt.view.config().virtualServicesForGateway(ref.gatewayRef())) {
        if (!Visibility.visible(vs.exportTo(), vs.meta().namespace(), ref.gateway().meta().namespace())) {
          continue;
        }
        for (String serverHost : ref.server().hosts()) {
          String hostPart = bindable(serverHost, vs, ref.gateway());
          if (hostPart == null) {
            continue;
          }
          for (String vsHost : vs.fqdnHosts()) {
            String host = intersect(hostPart, vsHost);
            if (host == null) {
              continue;
            }
            Vhost vhost = vhosts.computeIfAbsent(host, h -> new Vhost(h, gatewayPort, new ArrayList<>(),
                new HashSet<>(), new boolean[1]));
            vhost.requireTls()[0] |= redirect;
            if (vhost.sources().add(vs.key().toString())) {
              vhost.routes().addAll(translated.computeIfAbsent(vs.key() + "@" + gatewayPort,
                  k -> HttpRoutes.translate(vs, new HttpRoutes.Context(dialect, gatewayPort, gt.group.labels(), 0,
                      gt, gt.problems))));
            }
          }
        }
      }
    }
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName(name);
    boolean wildcard = false;
    Set<String> domainsTaken = new HashSet<>();
    for (Vhost vhost : vhosts.values()) {
      VirtualHost.Builder out = VirtualHost.newBuilder().setName(vhost.host() + ":" + vhost.gatewayPort())
          .addAllRoutes(vhost.routes());
      for (String domain : domains(vhost.host(), vhost.gatewayPort(), listenerPort(vhost.gatewayPort()))) {
        if (domainsTaken.add(domain)) {
          out.addDomains(domain);
        }
      }
      wildcard |= vhost.host().equals("*");
      if (vhost.requireTls()[0]) {
        out.setRequireTls(VirtualHost.TlsRequirementType.ALL);
      }
      config.addVirtualHosts(out);
    }
    if (gt.group.role().orElse(null) == GatewayRole.EGRESS
        && gt.view.outboundTrafficPolicy() == OutboundTrafficPolicy.REGISTRY_ONLY && !wildcard && !proxyless) {
      config.addVirtualHosts(VirtualHost.newBuilder().setName("block_all").addDomains("*")
          .addRoutes(Route.newBuilder().setName("block_all").setMatch(RouteMatch.newBuilder().setPrefix("/"))
              .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502))));
    }
    return config.build();
  }

  /** Istio: the domains of a virtual host are the host and host:port (a wildcard host is just {@code *}). */
  static List<String> domains(String host, int gatewayPort, int listenerPort) {
    if (host.equals("*")) {
      return List.of("*");
    }
    Set<String> domains = new LinkedHashSet<>();
    domains.add(host);
    domains.add(host + ":" + gatewayPort);
    domains.add(host + ":" + listenerPort);
    return List.copyOf(domains);
  }

  /**
   * The host part of a server host a VirtualService may bind to ({@code ns/host}: only VirtualServices of
   * {@code ns}; {@code ./host}: of the Gateway's namespace; {@code *}/bare: any), or null.
   */
  private static String bindable(String serverHost, VirtualService vs, Gateway gateway) {
    int slash = serverHost.indexOf('/');
    if (slash < 0) {
      return serverHost.toLowerCase(java.util.Locale.ROOT);
    }
    String ns = serverHost.substring(0, slash);
    String host = serverHost.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
    if (ns.equals("*") || ns.equals(vs.meta().namespace())
        || ns.equals(".") && gateway.meta().namespace().equals(vs.meta().namespace())) {
      return host;
    }
    return null;
  }

  /** The more specific of two hosts when one covers the other (Istio's gateway host matching), else null. */
  static String intersect(String serverHost, String vsHost) {
    if (HostNames.matches(serverHost, vsHost)) {
      return vsHost;
    }
    if (HostNames.matches(vsHost, serverHost)) {
      return serverHost;
    }
    return null;
  }

  private void apiListeners(RouteConfiguration routes, int gatewayPort, String routeName) {
    HttpConnectionManager hcm = ListenerParts.hcm("outbound_" + routeName, routeName,
        List.of(ListenerParts.fault(), ListenerParts.router()), false);
    for (VirtualHost vhost : routes.getVirtualHostsList()) {
      for (String domain : vhost.getDomainsList()) {
        if (!domain.contains("*")) {
          gt.listeners.putIfAbsent(domain, ListenerParts.apiListener(domain, hcm));
        }
      }
    }
  }

  private void terminating(ServerRef ref, int port, List<FilterChain> chains, Set<String> serverNames) {
    ServerTls tls = ref.tls().orElseThrow();
    if (ref.server().port().protocol() != Gateway.Protocol.HTTPS) {
      gt.problems.report(Kind.UNSUPPORTED, ref.gateway(), ref.field() + ".port.protocol", "TLS termination "
          + "followed by opaque TCP is not supported by meshfed's gateways; ignored", "use protocol HTTPS, or "
          + "PASSTHROUGH with a VirtualService tls route");
      return;
    }
    Optional<DownstreamTlsContext> context = downstreamTls(ref, tls);
    if (context.isEmpty()) {
      return;
    }
    List<String> names = serverNames(ref);
    if (!claim(names, serverNames, ref, port)) {
      return;
    }
    String routeName = "https." + ref.server().port().number() + "." + ref.server().port().name() + "."
        + ref.gateway().meta().name() + "." + ref.gateway().meta().namespace();
    RouteConfiguration routes = routeConfiguration(routeName, List.of(ref));
    gt.routes.put(routeName, routes);
    if (proxyless) {
      apiListeners(routes, ref.server().port().number(), routeName);
      return;
    }
    FilterChain.Builder chain = ListenerParts.chain(routeName, List.of(ListenerParts.hcmFilter(hcm(port,
        routeName)))).setTransportSocket(ListenerParts.downstreamTls(context.get()));
    if (!names.isEmpty()) {
      chain.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(names));
    }
    chains.add(chain.build());
  }

  private Optional<DownstreamTlsContext> downstreamTls(ServerRef ref, ServerTls tls) {
    if (tls.mode() == TlsMode.ISTIO_MUTUAL) {
      gt.secrets.add(Names.DEFAULT_SECRET);
      gt.secrets.add(Names.ROOT_CA_SECRET);
      DownstreamTlsContext istio = ListenerParts.istioMutual(gt.trustDomains, ListenerParts.HTTPS_ALPN);
      TlsParameters params = params(tls);
      return Optional.of(params.equals(TlsParameters.getDefaultInstance()) ? istio : istio.toBuilder()
          .setCommonTlsContext(istio.getCommonTlsContext().toBuilder().setTlsParams(params)).build());
    }
    if (tls.credentialName().isEmpty()) {
      gt.problems.report(Kind.UNSUPPORTED, ref.gateway(), ref.field() + ".tls.serverCertificate", "file paths on "
          + "the gateway are not read (meshfed's gateways take certificates over SDS only); the server is ignored",
          "put the certificate in a Secret (tls.crt, tls.key) in namespace " + gt.group.namespace()
              + " and name it in credentialName");
      return Optional.empty();
    }
    String credential = tls.credentialName().get();
    gt.secrets.add(Names.credential(credential));
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(io.meshfed.control.plane.translate.clusters.UpstreamTls
            .sds(Names.credential(credential)))
        .addAllAlpnProtocols(ListenerParts.HTTPS_ALPN);
    if (!params(tls).equals(TlsParameters.getDefaultInstance())) {
      common.setTlsParams(params(tls));
    }
    DownstreamTlsContext.Builder context = DownstreamTlsContext.newBuilder();
    if (tls.mode() == TlsMode.MUTUAL) {
      gt.secrets.add(Names.credentialCa(credential));
      context.setRequireClientCertificate(BoolValue.of(true));
      var caConfig = io.meshfed.control.plane.translate.clusters.UpstreamTls.sds(Names.credentialCa(credential));
      if (tls.subjectAltNames().isEmpty()) {
        common.setValidationContextSdsSecretConfig(caConfig);
      } else {
        CertificateValidationContext.Builder sans = CertificateValidationContext.newBuilder();
        for (String san : tls.subjectAltNames()) {
          sans.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
              .setSanType(san.startsWith("spiffe://") ? SubjectAltNameMatcher.SanType.URI
                  : SubjectAltNameMatcher.SanType.DNS)
              .setMatcher(StringMatcher.newBuilder().setExact(san)));
        }
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(sans).setValidationContextSdsSecretConfig(caConfig));
      }
    }
    return Optional.of(context.setCommonTlsContext(common).build());
  }

  private static TlsParameters params(ServerTls tls) {
    TlsParameters.Builder params = TlsParameters.newBuilder();
    tls.minProtocolVersion().ifPresent(v -> params.setTlsMinimumProtocolVersion(version(v)));
    tls.maxProtocolVersion().ifPresent(v -> params.setTlsMaximumProtocolVersion(version(v)));
    params.addAllCipherSuites(tls.cipherSuites());
    return params.build();
  }

  private static TlsParameters.TlsProtocol version(Gateway.TlsVersion version) {
    return switch (version) {
      case TLS_AUTO -> TlsParameters.TlsProtocol.TLS_AUTO;
      case TLSV1_0 -> TlsParameters.TlsProtocol.TLSv1_0;
      case TLSV1_1 -> TlsParameters.TlsProtocol.TLSv1_1;
      case TLSV1_2 -> TlsParameters.TlsProtocol.TLSv1_2;
      case TLSV1_3 -> TlsParameters.TlsProtocol.TLSv1_3;
    };
  }

  /** The server's hosts as SNI names ({@code ns/} dropped); empty when one of them is {@code *}. */
  private static List<String> serverNames(ServerRef ref) {
    List<String> names = new ArrayList<>();
    for (String host : ref.server().hosts()) {
      String name = host.contains("/") ? host.substring(host.indexOf('/') + 1) : host;
      if (name.equals("*")) {
        return List.of();
      }
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** Claims server names on the listener; a name (or the catch-all) claimed twice is a conflict. */
  private boolean claim(List<String> names, Set<String> taken, ServerRef ref, int port) {
    List<String> keys = names.isEmpty() ? List.of("*") : names;
    for (String key : keys) {
      if (taken.contains(key)) {
        gt.problems.report(Kind.LISTENER_CONFLICT, ref.gateway(), ref.field() + ".hosts", "\"" + key + "\" on "
            + "listener " + port + " is already served by another TLS server; ignored", "serve each host once per "
            + "port");
        return false;
      }
    }
    taken.addAll(keys);
    return true;
  }

  /** PASSTHROUGH: one chain per VirtualService tls match, by SNI, to its destination's cluster. */
  private void passthrough(ServerRef ref, List<FilterChain> chains, Set<String> serverNames) {
    int gatewayPort = ref.server().port().number();
    for (VirtualService vs : gt.view.config().virtualServicesForGateway(ref.gatewayRef())) {
      if (!Visibility.visible(vs.exportTo(), vs.meta().namespace(), ref.gateway().meta().namespace())) {
        continue;
      }
      for (int r = 0; r < vs.tls().size(); r++) {
        VirtualService.TlsRoute rule = vs.tls().get(r);
        for (int m = 0; m < rule.match().size(); m++) {
          VirtualService.TlsMatch match = rule.match().get(m);
          if (match.port().isPresent() && match.port().get() != gatewayPort
              || !Selectors.matches(match.sourceLabels(), gt.group.labels())) {
            continue;
          }
          List<String> names = new ArrayList<>();
          for (String sni : match.sniHosts()) {
            for (String serverHost : ref.server().hosts()) {
              String host = bindable(serverHost, vs, ref.gateway());
              if (host != null && HostNames.matches(host, sni.toLowerCase(java.util.Locale.ROOT))
                  && !names.contains(sni)) {
                names.add(sni);
              }
            }
          }
          if (names.isEmpty()) {
            continue;
          }
          String field = "spec.tls[" + r + "]";
          Optional<String> cluster = single(vs, field, rule.route(), gatewayPort);
          if (cluster.isEmpty() || !claim(names, serverNames, ref, listenerPort(gatewayPort))) {
            continue;
          }
          chains.add(ListenerParts.chain(vs.key().qualifiedName() + "/tls[" + r + "].match[" + m + "]",
              List.of(ListenerParts.tcpProxy(cluster.get(), cluster.get())))
              .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(names)).build());
        }
      }
    }
  }

  /** TCP: the first VirtualService tcp rule bound to the server that fits, to its destination's cluster. */
  private void tcp(ServerRef ref, List<FilterChain> chains) {
    int gatewayPort = ref.server().port().number();
    for (VirtualService vs : gt.view.config().virtualServicesForGateway(ref.gatewayRef())) {
      if (!Visibility.visible(vs.exportTo(), vs.meta().namespace(), ref.gateway().meta().namespace())) {
        continue;
      }
      for (int r = 0; r < vs.tcp().size(); r++) {
        VirtualService.TcpRoute rule = vs.tcp().get(r);
        boolean fits = rule.match().isEmpty() || rule.match().stream().anyMatch(m ->
            (m.port().isEmpty() || m.port().get() == gatewayPort) && Selectors.matches(m.sourceLabels(),
                gt.group.labels()));
        if (!fits) {
          continue;
        }
        Optional<String> cluster = single(vs, "spec.tcp[" + r + "]", rule.route(), gatewayPort);
        if (cluster.isPresent()) {
          List<Filter> filters = List.of(ListenerParts.tcpProxy(cluster.get(), cluster.get()));
          chains.add(ListenerParts.chain(vs.key().qualifiedName() + "/tcp[" + r + "]", filters).build());
          return;
        }
      }
    }
  }

  /** The one cluster of an L4 route: {@code tcp_proxy} takes one; of several destinations the heaviest is used. */
  private Optional<String> single(VirtualService vs, String field, List<RouteDestination> route, int gatewayPort) {
    if (route.isEmpty()) {
      return Optional.empty();
    }
    RouteDestination chosen = route.stream().max(Comparator.comparingInt(RouteDestination::weight)).orElseThrow();
    if (route.size() > 1) {
      gt.problems.report(Kind.UNSUPPORTED, vs, field + ".route", "weighted L4 destinations are not supported at "
          + "the gateway (one tcp_proxy cluster); all connections go to " + chosen.destination().host(),
          "split TCP traffic with separate ports or hosts");
    }
    int index = route.indexOf(chosen);
    return Optional.of(gt.cluster(vs, field + ".route[" + index + "].destination", chosen.destination(),
        gatewayPort));
  }
}
