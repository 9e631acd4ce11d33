package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshfed.control.plane.istio.AuthorizationPolicy;
import io.meshfed.control.plane.istio.AuthorizationPolicyIndex;
import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.PeerAuthentication;
import io.meshfed.control.plane.istio.PeerAuthenticationIndex;
import io.meshfed.control.plane.istio.RequestAuthentication;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.istio.ServiceExport;
import io.meshfed.control.plane.istio.Severity;
import io.meshfed.control.plane.istio.VirtualService;
import io.meshfed.control.plane.istio.Workload;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One immutable, consistent view of the config: every valid object (the last good version of objects whose
 * current version is invalid), the Kubernetes objects service discovery needs, and every message about the
 * config. A new config is a new snapshot, published atomically by the {@link ConfigStore}.
 *
 * <p>The Kubernetes objects are fabric8's (mutable) classes: treat them as read-only.
 */
public final class ConfigSnapshot {

  private final long version;
  private final MeshSettings mesh;
  private final Map<ResourceKey, ConfigResource> config;
  private final Map<ResourceKey, HasMetadata> kubernetes;
  private final Map<ResourceKey, Origin> kubernetesOrigins;
  private final List<Message> messages;
  private final Set<ResourceKey> meshShadowed;
  private final PeerAuthenticationIndex peerAuthentication;
  private final AuthorizationPolicyIndex authorization;
  private final DestinationRuleIndex destinationRuleIndex;
  // Grouped once, so the accessors (called per push by consumers) do not filter every object each time.
  private final Map<Class<?>, List<Object>> byType;
  private final List<Workload> workloads;

  ConfigSnapshot(long version, MeshSettings mesh, Map<ResourceKey, ConfigResource> config,
      Map<ResourceKey, HasMetadata> kubernetes, Map<ResourceKey, Origin> kubernetesOrigins, List<Message> messages,
      Set<ResourceKey> meshShadowed) {
    this.version = version;
    this.mesh = mesh;
    this.config = Collections.unmodifiableMap(new TreeMap<>(config));
    this.kubernetes = Collections.unmodifiableMap(new TreeMap<>(kubernetes));
    this.kubernetesOrigins = Map.copyOf(kubernetesOrigins);
    this.messages = List.copyOf(messages);
    this.meshShadowed = Set.copyOf(meshShadowed);
    Map<Class<?>, List<Object>> grouped = new java.util.HashMap<>();
    for (Object object : this.config.values()) {
      grouped.computeIfAbsent(object.getClass(), c -> new java.util.ArrayList<>()).add(object);
    }
    for (Object object : this.kubernetes.values()) {
      grouped.computeIfAbsent(object.getClass(), c -> new java.util.ArrayList<>()).add(object);
    }
    grouped.replaceAll((type, objects) -> Collections.unmodifiableList(objects));
    this.byType = grouped;
    this.workloads = Workload.of(List.copyOf(this.kubernetes.values()));
    this.peerAuthentication = new PeerAuthenticationIndex(peerAuthentications(), mesh.rootNamespace());
    this.authorization = new AuthorizationPolicyIndex(authorizationPolicies(), requestAuthentications(),
        mesh.rootNamespace());
    this.destinationRuleIndex = new DestinationRuleIndex(destinationRules(), mesh);
  }

  /** A snapshot with nothing in it, version 0. */
  public static ConfigSnapshot empty(MeshSettings mesh) {
    return new ConfigSnapshot(0, mesh, Map.of(), Map.of(), Map.of(), List.of(), Set.of());
  }

  /** The same snapshot without the messages {@code drop} selects (e.g. an analysis that overlays files on a cluster). */
  public ConfigSnapshot withoutMessages(java.util.function.Predicate<Message> drop) {
    return new ConfigSnapshot(version, mesh, config, kubernetes, kubernetesOrigins,
        messages.stream().filter(drop.negate()).toList(), meshShadowed);
  }

  /** Increases by one with every published snapshot. */
  public long version() {
    return version;
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** Every message: rejected objects, warnings, conflicts. An object named in an error is not in the snapshot. */
  public List<Message> messages() {
    return messages;
  }

  public List<Message> errors() {
    return messages.stream().filter(m -> m.severity() == Severity.ERROR).toList();
  }

  public Optional<ConfigResource> config(ResourceKey key) {
    return Optional.ofNullable(config.get(key));
  }

  public Optional<HasMetadata> kubernetes(ResourceKey key) {
    return Optional.ofNullable(kubernetes.get(key));
  }

  /** Where a Kubernetes object was read (file or cluster). */
  public Origin origin(ResourceKey key) {
    ConfigResource resource = config.get(key);
    if (resource != null) {
      return resource.meta().origin();
    }
    return kubernetesOrigins.getOrDefault(key, Origin.of("unknown"));
  }

  public List<ConfigResource> allConfig() {
    return List.copyOf(config.values());
  }

  public List<VirtualService> virtualServices() {
    return ofType(VirtualService.class);
  }

  public List<DestinationRule> destinationRules() {
    return ofType(DestinationRule.class);
  }

  public List<Gateway> gateways() {
    return ofType(Gateway.class);
  }

  public List<ServiceEntry> serviceEntries() {
    return ofType(ServiceEntry.class);
  }

  public List<PeerAuthentication> peerAuthentications() {
    return ofType(PeerAuthentication.class);
  }

  public List<AuthorizationPolicy> authorizationPolicies() {
    return ofType(AuthorizationPolicy.class);
  }

  public List<RequestAuthentication> requestAuthentications() {
    return ofType(RequestAuthentication.class);
  }

  public List<ServiceExport> serviceExports() {
    return ofType(ServiceExport.class);
  }

  public List<Service> services() {
    return kubernetesOfType(Service.class);
  }

  public List<EndpointSlice> endpointSlices() {
    return kubernetesOfType(EndpointSlice.class);
  }

  public List<Pod> pods() {
    return kubernetesOfType(Pod.class);
  }

  public List<Namespace> namespaces() {
    return kubernetesOfType(Namespace.class);
  }

  public List<ServiceAccount> serviceAccounts() {
    return kubernetesOfType(ServiceAccount.class);
  }

  /** Secrets (gateway credentials, remote-cluster kubeconfigs). Never log their data. */
  public List<Secret> secrets() {
    return kubernetesOfType(Secret.class);
  }

  /** Pods, plus pod templates of Deployments, StatefulSets, DaemonSets and ReplicaSets read from files. */
  public List<Workload> workloads() {
    return workloads;
  }

  /**
   * The VirtualServices that route mesh traffic: those bound to {@code mesh} (explicitly or by listing no gateway)
   * minus the ones shadowed by an older VirtualService for the same host (MF0106).
   */
  public List<VirtualService> meshVirtualServices() {
    return virtualServices().stream().filter(VirtualService::appliesToMesh)
        .filter(vs -> !meshShadowed.contains(vs.key())).toList();
  }

  /**
   * The VirtualServices bound to a gateway, {@code namespace/name}; for a host, their routes merge (the order
   * across VirtualServices is the oldest first, Istio leaves it undefined).
   */
  public List<VirtualService> virtualServicesForGateway(String gatewayNamespaceAndName) {
    return virtualServices().stream().filter(vs -> vs.gatewayRefs().contains(gatewayNamespaceAndName))
        .sorted(java.util.Comparator.comparing(VirtualService::meta,
            io.meshfed.control.plane.istio.ResourceMeta.OLDEST_FIRST)).toList();
  }

  public PeerAuthenticationIndex peerAuthenticationIndex() {
    return peerAuthentication;
  }

  public AuthorizationPolicyIndex authorizationIndex() {
    return authorization;
  }

  public DestinationRuleIndex destinationRuleIndex() {
    return destinationRuleIndex;
  }

  @SuppressWarnings("unchecked")
  private <T extends ConfigResource> List<T> ofType(Class<T> type) {
    return (List<T>) (List<?>) byType.getOrDefault(type, List.of());
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> List<T> kubernetesOfType(Class<T> type) {
    return (List<T>) (List<?>) byType.getOrDefault(type, List.of());
  }

  @Override
  public String toString() {
    Map<String, Integer> counts = new TreeMap<>();
    config.keySet().forEach(k -> counts.merge(k.kind(), 1, Integer::sum));
    kubernetes.keySet().forEach(k -> counts.merge(k.kind(), 1, Integer::sum));
    long errors = messages.stream().filter(m -> m.severity() == Severity.ERROR).count();
    return "ConfigSnapshot[version=" + version + ", " + counts + ", errors=" + errors + ", warnings="
        + (messages.size() - errors) + "]";
  }
}
