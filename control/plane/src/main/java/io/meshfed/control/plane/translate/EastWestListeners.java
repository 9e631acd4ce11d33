package io.meshfed.control.plane.translate;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fabric8.kubernetes.api.model.Service;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import io.meshfed.control.plane.istio.HostNames;
import io.meshfed.control.plane.istio.VirtualService;
import io.meshfed.control.plane.istio.Visibility;
import io.meshfed.control.plane.translate.clusters.UpstreamTls;
import io.meshfed.control.plane.translate.listeners.ListenerParts;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.Names;
import io.meshfed.control.plane.translate.model.PortSpec;
import io.meshfed.control.plane.translate.routes.HttpRoutes;
import io.meshfed.control.plane.translate.routes.RouteDialect;
import io.meshfed.control.plane.translate.security.AuthorizationFilters;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The east-west gateway (docs/xds-profile.md, "East-west gateway"): {@code 0.0.0.0_15443}, one chain per exported
 * service port and subset matched by Istio's SNI and mTLS ALPNs, passing TLS through (sidecar workloads) or
 * terminating it, checking network RBAC from AuthorizationPolicies and forwarding to the SNI-named cluster of this
 * cluster's endpoints; and {@code 0.0.0.0_15001}, the outbound listener through which this cluster's workloads reach
 * other clusters' services (plaintext HTTP routed by the mesh's VirtualServices, or their own mTLS forwarded by SNI).
 */
final class EastWestListeners {

  static final int INBOUND_PORT = 15443;
  static final int OUTBOUND_PORT = 15001;
  static final String OUTBOUND_ROUTES = "outbound.15001";
  // Immutable parts of every inbound and default route: one instance each for tens of thousands of routes.
  private static final RouteMatch ANY_PATH = RouteMatch.newBuilder().setPrefix("/").build();
  private static final com.google.protobuf.Duration NO_TIMEOUT = Durations.fromSeconds(0);

  private final GroupTranslation gt;

  EastWestListeners(GroupTranslation gt) {
    this.gt = gt;
  }

  void translate() {
    gt.secrets.add(Names.DEFAULT_SECRET);
    gt.secrets.add(Names.ROOT_CA_SECRET);
    EastWestGatewayServers.report(gt);
    inbound();
    outbound();
  }

  private List<MeshService> sorted(java.util.function.Predicate<MeshService> filter) {
    return gt.registry.sorted().stream().filter(filter).toList();
  }

  /** Subsets of a host as the gateway sees them (DestinationRule lookup from its namespace), no subset first. */
  private static List<String> subsets(Optional<DestinationRuleIndex.Merged> rule) {
    List<String> subsets = new ArrayList<>();
    subsets.add("");
    rule.ifPresent(r -> r.subsets().forEach(s -> subsets.add(s.name())));
    return subsets;
  }

  private static DestinationRule source(Optional<DestinationRuleIndex.Merged> rule) {
    return rule.map(r -> (DestinationRule) r.sources().get(0)).orElse(null);
  }

  private void inbound() {
    // Two passes: the ordered one registers clusters and reports problems as a loop would; the chains' messages,
    // functions of what it decided alone, are then built in parallel (OrderedChunks) and taken in its order, so the
    // output does not depend on the threads. Tens of thousands of chains in a large mesh.
    List<InboundChain> plans = new ArrayList<>();
    for (MeshService service : sorted(s -> s.kind() == MeshService.Kind.KUBERNETES && s.exported())) {
      inbound(service, plans);
    }
    if (plans.isEmpty()) {
      return;
    }
    // The same for every terminating chain of the group: built once, shared (protos are immutable).
    TransportSocket istioMutual = ListenerParts.downstreamTls(ListenerParts.istioMutual(gt.trustDomains,
        UpstreamTls.ISTIO_ALPN));
    List<BuiltChain> built = gt.chunks.map(plans.size(), Snapshot.Packer::new,
        (packer, i) -> plans.get(i).build(istioMutual, packer));
    List<byte[]> chains = new ArrayList<>(built.size());
    for (BuiltChain chain : built) {
      chains.add(chain.chain());
      if (chain.routes() != null) {
        gt.packedRoute(chain.routes());
      }
    }
    gt.packedListener(ListenerParts.listener(INBOUND_PORT).addListenerFilters(ListenerParts.tlsInspector()).build(),
        chains);
  }

  // The loops over tens of thousands of services call a method per service and per chain: the JIT compiles those
  // small methods early (they run thousands of times per translation) instead of on-stack-replacing one large loop
  // body again and again, which cost seconds of compiler time per translation while the translator was fresh.

  /** The chains of one exported service: one per port and subset. */
  private void inbound(MeshService service, List<InboundChain> plans) {
    boolean passthrough = service.eastWestPassthrough();
    Flavor flavor = passthrough ? Flavor.INBOUND_PASSTHROUGH : Flavor.INBOUND_TERMINATE;
    Optional<DestinationRuleIndex.Merged> rule = gt.rule(service.fqdn());
    for (PortSpec port : service.ports()) {
      for (String subset : subsets(rule)) {
        plans.add(inboundChain(service, rule, port, subset, flavor));
      }
    }
  }

  /** One chain's ordered part: its cluster registered, its network RBAC (problems reported), its names. */
  private InboundChain inboundChain(MeshService service, Optional<DestinationRuleIndex.Merged> rule, PortSpec port,
      String subset, Flavor flavor) {
    String sni = Names.sni(port.number(), subset, service.fqdn());
    String cluster = gt.addCluster(service, service.fqdn(), port, subset, flavor, source(rule), "spec.subsets");
    if (flavor == Flavor.INBOUND_PASSTHROUGH) {
      return InboundChain.passingThrough(sni, cluster);
    }
    List<Filter> rbac = rbac(service, rule, port, subset);
    String routeName = port.protocol().isHttp() ? "inbound|" + port.number() + "|" + subset + "|" + service.fqdn()
        : null;
    return InboundChain.terminating(sni, cluster, rbac, routeName);
  }

  /** A filter chain, serialised, and, for a terminated HTTP chain, its routes packed (null otherwise). */
  private record BuiltChain(byte[] chain, VersionedResource routes) {
  }

  /**
   * What the ordered pass decided for one inbound chain; {@link #build} makes its messages from this alone, on any
   * thread.
   *
   * @param routeName the terminated HTTP chain's route configuration; null for TCP (or a passthrough chain)
   */
  private record InboundChain(String sni, String cluster, boolean passthrough, List<Filter> rbac, String routeName) {

    /** A chain that forwards the caller's mTLS bytes untouched to the SNI's cluster (AUTO_PASSTHROUGH). */
    static InboundChain passingThrough(String sni, String cluster) {
      return new InboundChain(sni, cluster, true, List.of(), null);
    }

    /** A chain that terminates the caller's mTLS, applies {@code rbac}, then proxies TCP or, with a route, HTTP. */
    static InboundChain terminating(String sni, String cluster, List<Filter> rbac, String routeName) {
      return new InboundChain(sni, cluster, false, rbac, routeName);
    }

    BuiltChain build(TransportSocket istioMutual, Snapshot.Packer packer) {
      FilterChain.Builder chain = FilterChain.newBuilder().setName(sni)
          .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(sni)
              .addAllApplicationProtocols(ListenerParts.ISTIO_PEER_ALPN));
      VersionedResource routes = null;
      if (passthrough) {
        chain.addFilters(ListenerParts.tcpProxy(sni, cluster));
      } else {
        chain.setTransportSocket(istioMutual);
        chain.addAllFilters(rbac);
        if (routeName != null) {
          routes = packer.pack(XdsResourceType.ROUTE, inboundRoutes(routeName, cluster));
          chain.addFilters(ListenerParts.hcmFilter(ListenerParts.hcm("inbound_" + sni, routeName,
              List.of(ListenerParts.router()), false)));
        } else {
          chain.addFilters(ListenerParts.tcpProxy(sni, cluster));
        }
      }
      return new BuiltChain(Snapshot.deterministicBytes(chain.build()), routes);
    }
  }

  /**
   * The terminated chain's routes: the chain already knows the service and subset from the SNI (the Host header
   * carries the caller's authority, not ours), so one catch-all route to the SNI cluster, without timeout or retries
   * (the caller's gateway applies those).
   */
  private static RouteConfiguration inboundRoutes(String name, String cluster) {
    return RouteConfiguration.newBuilder().setName(name).addVirtualHosts(VirtualHost.newBuilder().setName(name)
        .addDomains("*").addRoutes(Route.newBuilder().setMatch(ANY_PATH)
            .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(NO_TIMEOUT))))
        .build();
  }

  /**
   * Network RBAC for a terminated chain: the AuthorizationPolicies of the service's workloads (the Service's selector
   * plus the subset's labels stand for the pods' labels), connection-level parts only.
   */
  private List<Filter> rbac(MeshService service, Optional<DestinationRuleIndex.Merged> rule, PortSpec port,
      String subset) {
    if (gt.view.config().authorizationIndex().noPolicies()) {
      return List.of(); // nothing to apply: spares tens of thousands of chains the workload's labels and ports
    }
    Map<String, String> labels = new TreeMap<>();
    Service k8s = service.kubernetes().orElse(null);
    if (k8s != null && k8s.getSpec() != null && k8s.getSpec().getSelector() != null) {
      labels.putAll(k8s.getSpec().getSelector());
    }
    if (!subset.isEmpty()) {
      rule.flatMap(r -> r.subset(subset)).ifPresent(s -> labels.putAll(s.labels()));
    }
    Set<Integer> ports = new HashSet<>();
    ports.add(port.number());
    if (k8s != null && k8s.getSpec().getPorts() != null) {
      for (io.fabric8.kubernetes.api.model.ServicePort p : k8s.getSpec().getPorts()) {
        if (p.getPort() != null && p.getPort() == port.number() && p.getTargetPort() != null
            && p.getTargetPort().getIntVal() != null) {
          ports.add(p.getTargetPort().getIntVal());
        }
      }
    }
    IntPredicate matches = ports::contains;
    return AuthorizationFilters.network(gt.view.config().authorizationIndex().forWorkload(service.namespace(),
        labels), gt.trustDomains, matches, "rbac_" + Names.sni(port.number(), subset, service.fqdn()), gt.problems);
  }

  private void outbound() {
    List<MeshService> remote = sorted(s -> !s.remote().isEmpty()
        && Visibility.visible(s.exportTo(), s.namespace(), gt.group.namespace()));
    Map<String, Integer> shortNames = new HashMap<>();
    for (MeshService service : remote) {
      shortNames.merge(service.name(), 1, Integer::sum);
    }
    MeshRoutes meshRoutes = new MeshRoutes(gt);
    // As for the inbound chains: the ordered pass registers the clusters (sni, cluster pairs) and builds the virtual
    // hosts; the chains are built and everything is serialised in parallel.
    List<VirtualHost> hosts = new ArrayList<>();
    List<Passthrough> passthrough = new ArrayList<>();
    for (MeshService service : remote) {
      outbound(service, shortNames.get(service.name()) == 1, meshRoutes, hosts, passthrough);
    }
    List<byte[]> chains = gt.chunks.map(passthrough.size(),
        i -> Snapshot.deterministicBytes(passthrough.get(i).chain()));
    List<byte[]> virtualHosts = gt.chunks.map(hosts.size(), i -> Snapshot.deterministicBytes(hosts.get(i)));
    gt.packedRoute(RouteConfiguration.newBuilder().setName(OUTBOUND_ROUTES).build(), virtualHosts);
    HttpConnectionManager hcm = ListenerParts.hcm("outbound_0.0.0.0_" + OUTBOUND_PORT, OUTBOUND_ROUTES,
        List.of(ListenerParts.router()), false);
    List<byte[]> all = new ArrayList<>(chains.size() + 1);
    all.add(Snapshot.deterministicBytes(FilterChain.newBuilder().setName("http").setFilterChainMatch(
        FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer")).addFilters(ListenerParts.hcmFilter(hcm))
        .build()));
    all.addAll(chains);
    gt.packedListener(ListenerParts.listener(OUTBOUND_PORT).addListenerFilters(ListenerParts.tlsInspector()).build(),
        all);
  }

  /** One remote service's virtual hosts (its HTTP ports) and TLS chains (every port and subset). */
  private void outbound(MeshService service, boolean shortNameUnique, MeshRoutes meshRoutes,
      List<VirtualHost> hosts, List<Passthrough> passthrough) {
    int defaultPort = defaultHttpPort(service);
    for (PortSpec port : service.ports()) {
      if (port.protocol().isHttp()) {
        hosts.add(outboundHost(service, port, port.number() == defaultPort, shortNameUnique, meshRoutes));
      }
      Optional<DestinationRuleIndex.Merged> rule = gt.rule(service.fqdn());
      for (String subset : subsets(rule)) {
        String cluster = gt.addCluster(service, service.fqdn(), port, subset, Flavor.PASSTHROUGH, source(rule),
            "spec.subsets");
        passthrough.add(new Passthrough(Names.sni(port.number(), subset, service.fqdn()), cluster));
      }
    }
  }

  private VirtualHost outboundHost(MeshService service, PortSpec port, boolean defaultPort,
      boolean shortNameUnique, MeshRoutes meshRoutes) {
    List<String> names = kubernetesNames(service, shortNameUnique);
    VirtualHost.Builder vhost = VirtualHost.newBuilder().setName(service.fqdn() + ":" + port.number());
    for (String name : names) {
      vhost.addDomains(name + ":" + port.number());
    }
    if (defaultPort) {
      vhost.addAllDomains(names);
    }
    return vhost.addAllRoutes(meshRoutes.routes(service, port, RouteDialect.EASTWEST)).build();
  }

  /** A TLS chain of the outbound listener: forwarded by SNI to its passthrough cluster. */
  private record Passthrough(String sni, String cluster) {

    FilterChain chain() {
      return FilterChain.newBuilder().setName("tls|" + sni)
          .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(sni).setTransportProtocol("tls"))
          .addFilters(ListenerParts.tcpProxy(sni, cluster)).build();
    }
  }

  /** The port a request without one in its Host reaches: 80 when the service has it, else its only HTTP port. */
  static int defaultHttpPort(MeshService service) {
    int http = 0;
    int only = -1;
    for (PortSpec port : service.ports()) {
      if (port.protocol().isHttp()) {
        if (port.number() == 80) {
          return 80;
        }
        http++;
        only = port.number();
      }
    }
    return http == 1 ? only : -1;
  }

  /** {@code reviews} (when unique), {@code reviews.default}, {@code reviews.default.svc}, the FQDN. */
  static List<String> kubernetesNames(MeshService service, boolean shortNameUnique) {
    Set<String> names = new LinkedHashSet<>();
    if (shortNameUnique) {
      names.add(service.name());
    }
    names.add(service.name() + "." + service.namespace());
    names.add(service.name() + "." + service.namespace() + ".svc");
    names.add(service.fqdn());
    return List.copyOf(names);
  }

  /**
   * Routes of mesh-bound VirtualServices ({@code gateways: [mesh]} or none) for one service port: the
   * VirtualService for the host (an exact host before a wildcard), or a default route to the service.
   */
  static final class MeshRoutes {
    private final GroupTranslation gt;
    private final Map<String, List<VirtualService>> exact = new HashMap<>();
    private final List<VirtualService> wildcard = new ArrayList<>();

    MeshRoutes(GroupTranslation gt) {
      this.gt = gt;
      for (VirtualService vs : gt.view.config().meshVirtualServices()) {
        if (!Visibility.visible(vs.exportTo(), vs.meta().namespace(), gt.group.namespace())) {
          continue;
        }
        for (String host : vs.fqdnHosts()) {
          if (host.startsWith("*")) {
            wildcard.add(vs);
          } else {
            exact.computeIfAbsent(host, h -> new ArrayList<>()).add(vs);
          }
        }
      }
    }

    Optional<VirtualService> forHost(String fqdn) {
      List<VirtualService> list = exact.get(fqdn);
      if (list != null && !list.isEmpty()) {
        return Optional.of(list.get(0));
      }
      return wildcard.stream().filter(vs -> vs.fqdnHosts().stream().anyMatch(h -> HostNames.matches(h, fqdn)))
          .findFirst();
    }

    List<Route> routes(MeshService service, PortSpec port, RouteDialect dialect) {
      Optional<VirtualService> vs = forHost(service.fqdn());
      if (vs.isPresent() && !vs.get().http().isEmpty()) {
        return HttpRoutes.translate(vs.get(), new HttpRoutes.Context(dialect, port.number(), gt.group.labels(),
            port.number(), gt, gt.problems));
      }
      String cluster = gt.addCluster(service, service.fqdn(), port, "", gt.outbound, null, "");
      RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster).setTimeout(NO_TIMEOUT);
      // A service without a VirtualService gets Istio's default route: no timeout, the default retry policy.
      action.setRetryPolicy(HttpRoutes.defaultRetryPolicy());
      return List.of(Route.newBuilder().setName("default").setMatch(ANY_PATH).setRoute(action).build());
    }
  }
}
