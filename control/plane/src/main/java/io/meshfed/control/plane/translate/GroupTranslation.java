package io.meshfed.control.plane.translate;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.Destination;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.istio.DestinationRule.ConsistentHash;
import io.meshfed.control.plane.istio.DestinationRule.LoadBalancer;
import io.meshfed.control.plane.istio.DestinationRule.LocalityLb;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.clusters.ClusterSpec;
import io.meshfed.control.plane.translate.clusters.EffectivePolicy;
import io.meshfed.control.plane.translate.clusters.UpstreamTls;
import io.meshfed.control.plane.translate.endpoints.EndpointPolicy;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.PortSpec;
import io.meshfed.control.plane.translate.model.Problems;
import io.meshfed.control.plane.translate.model.Protocol;
import io.meshfed.control.plane.translate.model.ServiceRegistry;
import io.meshfed.control.plane.translate.routes.DestinationResolver;
import io.meshfed.control.plane.xds.OrderedChunks;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import io.meshfed.control.plane.xds.WireSplice;
import io.meshfed.federation.catalog.Locality;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The translation of one gateway group in progress: its listeners and routes as the role translators add them, the
 * clusters they reference (registered on first use, with how to build them), the secrets they need.
 */
final class GroupTranslation implements DestinationResolver {

  final MeshView view;
  final GatewayGroup group;
  final ServiceRegistry registry;
  final Problems problems;
  final Flavor outbound;
  final List<String> trustDomains;
  /** How large batches of messages are built in parallel (the east-west gateway's filter chains). */
  final OrderedChunks chunks;
  final Map<String, Listener> listeners = new TreeMap<>();
  final Map<String, RouteConfiguration> routes = new TreeMap<>();
  /** Listeners and routes serialised by the role translator (large ones in parallel parts), packed. */
  final Map<String, VersionedResource> packedListeners = new TreeMap<>();
  final Map<String, VersionedResource> packedRoutes = new TreeMap<>();
  final Map<String, ClusterRef> clusters = new TreeMap<>();
  final TreeSet<String> secrets = new TreeSet<>();
  private final Map<String, Optional<DestinationRuleIndex.Merged>> rules = new HashMap<>();
  private final Snapshot.Packer packer = new Snapshot.Packer();
  /**
   * The endpoint policy of every cluster that gets priorities without a {@code localityLbSetting}: one instance for
   * the group, so comparing the caches' keys that hold it stops at identity (most clusters of an east-west
   * gateway).
   */
  private final EndpointPolicy prioritized;

  GroupTranslation(MeshView view, GatewayGroup group, ServiceRegistry registry, Problems problems, Flavor outbound,
      OrderedChunks chunks) {
    this.view = view;
    this.chunks = chunks;
    this.group = group;
    this.registry = registry;
    this.problems = problems;
    this.outbound = outbound;
    List<String> domains = new ArrayList<>();
    domains.add(view.trustDomain());
    view.trustDomainAliases().stream().filter(d -> !domains.contains(d)).forEach(domains::add);
    this.trustDomains = List.copyOf(domains);
    this.prioritized = new EndpointPolicy(true, locality(), network(), view.clusterId(), Map.of(), List.of(),
        List.of(), List.of());
  }

  /** Adds a listener whose filter chains were serialised apart, in this order (see {@link WireSplice}). */
  void packedListener(Listener withoutChains, List<byte[]> filterChains) {
    byte[] bytes = WireSplice.withRepeated(Snapshot.deterministicBytes(withoutChains),
        Listener.FILTER_CHAINS_FIELD_NUMBER, filterChains);
    packedListeners.put(withoutChains.getName(), packer.pack(XdsResourceType.LISTENER, withoutChains.getName(),
        bytes));
  }

  /** Adds a route configuration whose virtual hosts were serialised apart, in this order. */
  void packedRoute(RouteConfiguration withoutVirtualHosts, List<byte[]> virtualHosts) {
    byte[] bytes = WireSplice.withRepeated(Snapshot.deterministicBytes(withoutVirtualHosts),
        RouteConfiguration.VIRTUAL_HOSTS_FIELD_NUMBER, virtualHosts);
    packedRoute(packer.pack(XdsResourceType.ROUTE, withoutVirtualHosts.getName(), bytes));
  }

  /** Adds a route configuration packed already. */
  void packedRoute(VersionedResource routes) {
    packedRoutes.put(routes.name(), routes);
  }

  /** The group's locality, or the cluster's when it does not say. */
  Locality locality() {
    return group.locality().equals(Locality.UNKNOWN) ? view.locality() : group.locality();
  }

  String network() {
    return group.network().isEmpty() ? view.network() : group.network();
  }

  /** The DestinationRule in force for a host, looked up from the gateway's namespace (Istio's lookup path). */
  Optional<DestinationRuleIndex.Merged> rule(String fqdn) {
    return rules.computeIfAbsent(fqdn, h -> view.config().destinationRuleIndex().lookup(h, group.namespace()));
  }

  @Override
  public String cluster(ConfigResource owner, String field, Destination destination, int defaultPort) {
    return cluster(owner, field, destination, defaultPort, outbound);
  }

  String cluster(ConfigResource owner, String field, Destination destination, int defaultPort, Flavor flavor) {
    String fqdn = destination.fqdn();
    Optional<MeshService> service = registry.lookup(fqdn, group.namespace());
    String subset = destination.subset().orElse("");
    if (service.isEmpty()) {
      boolean hidden = registry.exists(fqdn);
      problems.report(Kind.UNKNOWN_HOST, owner, field + ".host", "\"" + destination.host() + "\" (" + fqdn + ") "
          + (hidden ? "is not exported to namespace " + group.namespace() + " (exportTo)"
              : "is not a Service of this cluster, a service exported by another cluster, or a ServiceEntry host")
          + "; requests routed to it fail with 503", hidden ? "export it to " + group.namespace()
              : "fix the host, create the Service (and its ServiceExport in the cluster that runs it), or add a "
              + "ServiceEntry");
      int port = destination.port().orElse(defaultPort > 0 ? defaultPort : 80);
      return flavor.clusterName(port, subset, fqdn);
    }
    Optional<PortSpec> port = port(service.get(), destination.port(), defaultPort, owner, field);
    if (port.isEmpty()) {
      return flavor.clusterName(destination.port().orElse(defaultPort), subset, fqdn);
    }
    return addCluster(service.get(), fqdn, port.get(), subset, flavor, owner, field);
  }

  private Optional<PortSpec> port(MeshService service, Optional<Integer> wanted, int defaultPort,
      ConfigResource owner, String field) {
    if (wanted.isPresent()) {
      Optional<PortSpec> port = service.port(wanted.get());
      if (port.isEmpty()) {
        problems.report(Kind.UNKNOWN_PORT, owner, field + ".port.number", wanted.get() + " is not a port of "
            + service.fqdn() + " (ports: " + service.ports().stream().map(PortSpec::number).toList() + ")",
            "use one of the service's ports");
      }
      return port;
    }
    if (service.ports().size() == 1) {
      return Optional.of(service.ports().get(0));
    }
    if (defaultPort > 0 && service.port(defaultPort).isPresent()) {
      return service.port(defaultPort);
    }
    if (service.ports().isEmpty()) {
      problems.report(Kind.UNKNOWN_PORT, owner, field + ".port", service.fqdn() + " has no port",
          "give the Service a port");
      return Optional.empty();
    }
    problems.report(Kind.UNKNOWN_PORT, owner, field + ".port", "none given and " + service.fqdn()
        + " has several ports " + service.ports().stream().map(PortSpec::number).toList() + "; the first ("
        + service.ports().get(0).number() + ") is used", "set destination.port.number");
    return Optional.of(service.ports().get(0));
  }

  @Override
  public Optional<ConsistentHash> consistentHash(Destination destination, int defaultPort) {
    Optional<MeshService> service = registry.lookup(destination.fqdn(), group.namespace());
    if (service.isEmpty()) {
      return Optional.empty();
    }
    int port = destination.port().orElse(service.get().ports().size() == 1 ? service.get().ports().get(0).number()
        : defaultPort);
    return EffectivePolicy.of(rule(destination.fqdn()), port, destination.subset().orElse(""))
        .loadBalancer().flatMap(LoadBalancer::consistentHash);
  }

  /**
   * Registers the cluster of a service port and subset in the given flavor and returns its name. Unknown subsets
   * are reported and not registered (requests to them fail with 503, as in Istio).
   *
   * @param host the requested host: the service's FQDN, or a name a wildcard ServiceEntry covers
   */
  String addCluster(MeshService service, String host, PortSpec port, String subset, Flavor flavor,
      ConfigResource owner, String field) {
    String name = flavor.clusterName(port.number(), subset, host);
    if (clusters.containsKey(name)) {
      return name;
    }
    Optional<DestinationRuleIndex.Merged> rule = rule(service.fqdn());
    Map<String, String> labels = Map.of();
    Optional<DestinationRule> subsetRule = Optional.empty();
    if (!subset.isEmpty()) {
      Optional<DestinationRule.Subset> defined = rule.flatMap(r -> r.subset(subset));
      if (defined.isEmpty()) {
        problems.report(Kind.UNKNOWN_SUBSET, owner, field + ".subset", "\"" + subset + "\" is not a subset of "
            + service.fqdn() + (rule.isEmpty() ? " (no DestinationRule for the host is visible from namespace "
            + group.namespace() + ")" : " (subsets: " + rule.get().subsets().stream().map(
                DestinationRule.Subset::name).toList() + ")") + "; requests routed to it fail with 503",
            "define the subset in a DestinationRule for the host, or fix the name");
        return name;
      }
      labels = defined.get().labels();
      subsetRule = rule.get().sources().stream().filter(r -> r.subset(subset).isPresent()).findFirst();
    }
    EffectivePolicy policy = EffectivePolicy.of(rule, port.number(), subset);
    rule.ifPresent(r -> checkPolicy(r, policy, flavor));
    if (service.kind() == MeshService.Kind.SERVICE_ENTRY) {
      Optional<ClusterSpec> spec = ServiceEntryClusters.spec(this, service, host, port, labels, name, policy,
          owner, field);
      spec.ifPresent(s -> {
        clusters.put(name, new ClusterRef(s, Optional.empty()));
        secretsFor(s);
      });
      return name;
    }
    EndpointPolicy endpointPolicy = endpointPolicy(policy, flavor);
    ClusterSpec.Transport transport = transport(policy, flavor, service);
    ClusterSpec spec = new ClusterSpec(name, ClusterSpec.Discovery.EDS, Optional.empty(), port.protocol(), policy,
        transport, io.meshfed.control.plane.translate.model.Names.sni(port.number(), subset, service.fqdn()),
        trustDomains, transport == ClusterSpec.Transport.ORIGINATE ? policy.tls() : Optional.empty(),
        originateSni(policy, host), flavor == Flavor.MESH_OUTBOUND || flavor == Flavor.PASSTHROUGH,
        !flavor.eastWest(), endpointPolicy.weighted());
    EdsRef eds = new EdsRef(name, service, port, subset, labels, flavor.scope(), flavor == Flavor.PROXYLESS,
        endpointPolicy, subsetRule);
    clusters.put(name, new ClusterRef(spec, Optional.of(eds)));
    secretsFor(spec);
    return name;
  }

  /** The SDS secrets a cluster's transport socket names. */
  void secretsFor(ClusterSpec spec) {
    if (spec.transport() == ClusterSpec.Transport.ISTIO_AUTO || spec.transport() == ClusterSpec.Transport.ISTIO) {
      secrets.add(io.meshfed.control.plane.translate.model.Names.DEFAULT_SECRET);
      secrets.add(io.meshfed.control.plane.translate.model.Names.ROOT_CA_SECRET);
    }
    if (spec.transport() == ClusterSpec.Transport.ORIGINATE) {
      ClientTls tls = spec.originate().orElseThrow();
      tls.credentialName().ifPresent(c -> {
        if (tls.mode() == DestinationRule.TlsMode.MUTUAL) {
          secrets.add(io.meshfed.control.plane.translate.model.Names.credential(c));
        }
        if (!tls.insecureSkipVerify()) {
          secrets.add(io.meshfed.control.plane.translate.model.Names.credentialCa(c));
        }
      });
    }
  }

  static String originateSni(EffectivePolicy policy, String host) {
    return policy.tls().flatMap(ClientTls::sni).orElse(host);
  }

  ClusterSpec.Transport transport(EffectivePolicy policy, Flavor flavor, MeshService service) {
    return switch (flavor) {
      case PROXYLESS, PASSTHROUGH, INBOUND_PASSTHROUGH -> ClusterSpec.Transport.NONE;
      case MESH_OUTBOUND, INBOUND_TERMINATE -> ClusterSpec.Transport.ISTIO_AUTO;
      case GATEWAY -> {
        if (policy.tls().isEmpty()) {
          boolean external = service.serviceEntry().map(e -> e.location() == ServiceEntry.Location.MESH_EXTERNAL)
              .orElse(false);
          yield external ? ClusterSpec.Transport.NONE : ClusterSpec.Transport.ISTIO_AUTO;
        }
        yield switch (policy.tls().get().mode()) {
          case DISABLE -> ClusterSpec.Transport.NONE;
          case SIMPLE, MUTUAL -> ClusterSpec.Transport.ORIGINATE;
          case ISTIO_MUTUAL -> ClusterSpec.Transport.ISTIO;
        };
      }
    };
  }

  /**
   * Istio's locality load balancing for this client: priorities when outlier detection is configured (the
   * east-west outbound listener always), weights when {@code distribute} is; {@code enabled: false} turns both off.
   */
  EndpointPolicy endpointPolicy(EffectivePolicy policy, Flavor flavor) {
    Optional<LocalityLb> locality = policy.loadBalancer().flatMap(LoadBalancer::localityLbSetting);
    boolean enabled = locality.flatMap(LocalityLb::enabled).orElse(true);
    if (!enabled) {
      return EndpointPolicy.NONE;
    }
    boolean distribute = locality.map(l -> !l.distribute().isEmpty()).orElse(false);
    boolean prioritize = !distribute && (flavor == Flavor.MESH_OUTBOUND || flavor == Flavor.PASSTHROUGH
        || policy.outlierDetection().isPresent());
    if (!prioritize && !distribute) {
      return EndpointPolicy.NONE;
    }
    if (locality.isEmpty()) {
      return prioritized;
    }
    List<String> failoverPriority = locality.map(LocalityLb::failoverPriority).orElse(List.of());
    Map<String, String> clientLabels = new TreeMap<>();
    for (String label : failoverPriority) {
      if (!label.contains("=") && group.labels().containsKey(label)) {
        clientLabels.put(label, group.labels().get(label));
      }
    }
    return new EndpointPolicy(prioritize, locality(), network(), view.clusterId(), clientLabels,
        locality.map(LocalityLb::failover).orElse(List.of()), failoverPriority,
        distribute ? locality.get().distribute() : List.of());
  }

  /** DestinationRule settings a gateway cannot apply, reported once per rule. */
  private void checkPolicy(DestinationRuleIndex.Merged rule, EffectivePolicy policy, Flavor flavor) {
    DestinationRule owner = rule.sources().get(0);
    policy.loadBalancer().flatMap(LoadBalancer::simple).filter(s -> s == DestinationRule.SimpleLb.PASSTHROUGH)
        .ifPresent(s -> problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.loadBalancer.simple",
            "PASSTHROUGH (original destination) cannot apply at a gateway; ROUND_ROBIN is used",
            "use ROUND_ROBIN, LEAST_REQUEST or RANDOM"));
    policy.connectionPool().flatMap(DestinationRule.ConnectionPool::tcp).ifPresent(tcp -> {
      if (tcp.idleTimeout().isPresent() || tcp.maxConnectionDuration().isPresent()) {
        problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.connectionPool.tcp", "idleTimeout and "
            + "maxConnectionDuration are not applied by meshfed's gateways; ignored", "remove them, or use "
            + "connectionPool.http.idleTimeout for HTTP ports");
      }
    });
    policy.connectionPool().flatMap(DestinationRule.ConnectionPool::http).filter(DestinationRule.Http::useClientProtocol)
        .ifPresent(h -> problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.connectionPool.http."
            + "useClientProtocol", "not applied: the upstream protocol follows the port's protocol (HTTP/2 for "
            + "http2/grpc ports)", "name the port for its protocol (http2-..., grpc-...)"));
    if (flavor == Flavor.GATEWAY && policy.tls().isPresent()) {
      ClientTls tls = policy.tls().get();
      if (tls.caCertificates().isPresent() && !tls.caCertificates().get().equals(UpstreamTls.SYSTEM_ROOTS)) {
        problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.tls.caCertificates", tls.caCertificates().get()
            + " is a file on the gateway; meshfed's gateways take certificates only over SDS, so "
            + (tls.credentialName().isPresent() ? "the credentialName's CA is used" : "the system roots are used"),
            "put the CA in the credentialName Secret (key ca.crt)");
      }
      if (tls.clientCertificate().isPresent() || tls.privateKey().isPresent()) {
        problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.tls.clientCertificate", "file paths on the "
            + "gateway are not read (certificates come over SDS only); no client certificate is presented unless "
            + "credentialName names one", "use credentialName with a Secret holding tls.crt/tls.key");
      }
    }
    if (flavor == Flavor.PROXYLESS && policy.tls().isPresent()
        && policy.tls().get().mode() != DestinationRule.TlsMode.DISABLE) {
      problems.report(Kind.UNSUPPORTED, owner, "spec.trafficPolicy.tls", "proxyless gRPC clients get plaintext "
          + "clusters (xDS security needs certificate providers in their bootstrap); the TLS mode is not applied",
          "reach TLS services through a gateway");
    }
  }

  /** Registers an already-built cluster spec (no endpoints to build), e.g. for an authorizer or a TCP route. */
  void addSpec(ClusterSpec spec) {
    clusters.putIfAbsent(spec.name(), new ClusterRef(spec, Optional.empty()));
  }

  /** The port protocol of a service port, TCP when unknown. */
  static Protocol protocol(MeshService service, int port) {
    return service.port(port).map(PortSpec::protocol).orElse(Protocol.TCP);
  }
}
