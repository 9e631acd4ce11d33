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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One immutable, consistent view of the config: every valid object (the last good version of objects whose
 * current version is invalid), the Kubernetes objects service discovery needs, and every message about the
 * config. A new config is a new snapshot, published atomically by the {@link ConfigStore}.
 *
 * <p>The Kubernetes objects are fabric8's (mutable) classes: treat them as read-only.
 */
public final class ConfigSnapshot {

  // How many replaced EndpointSlices a derived snapshot keeps beside its sorted map before folding them in.
  private static final int MAX_REPLACED = 1024;

  private final long version;
  private final MeshSettings mesh;
  private final Map<ResourceKey, ConfigResource> config;
  private final SortedMap<ResourceKey, HasMetadata> kubernetes;
  // EndpointSlices replaced since the kubernetes map was built (withEndpointSlices), looked up first.
  private final Map<ResourceKey, HasMetadata> replaced;
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
    this.kubernetes = Collections.unmodifiableSortedMap(new TreeMap<>(kubernetes));
    this.replaced = Map.of();
    this.kubernetesOrigins = Map.copyOf(kubernetesOrigins);
    this.messages = List.copyOf(messages);
    this.meshShadowed = Set.copyOf(meshShadowed);
    Map<Class<?>, List<Object>> grouped = new HashMap<>();
    for (Object object : this.config.values()) {
      grouped.computeIfAbsent(object.getClass(), c -> new ArrayList<>()).add(object);
    }
    for (Object object : this.kubernetes.values()) {
      grouped.computeIfAbsent(object.getClass(), c -> new ArrayList<>()).add(object);
    }
    grouped.replaceAll((type, objects) -> Collections.unmodifiableList(objects));
    this.byType = grouped;
    this.workloads = Workload.of(List.copyOf(this.kubernetes.values()));
    this.peerAuthentication = new PeerAuthenticationIndex(peerAuthentications(), mesh.rootNamespace());
    this.authorization = new AuthorizationPolicyIndex(authorizationPolicies(), requestAuthentications(),
        mesh.rootNamespace());
    this.destinationRuleIndex = new DestinationRuleIndex(destinationRules(), mesh);
  }

  /** A snapshot derived from another: every part given, nothing recomputed. */
  private ConfigSnapshot(ConfigSnapshot from, SortedMap<ResourceKey, HasMetadata> kubernetes,
      Map<ResourceKey, HasMetadata> replaced, Map<ResourceKey, Origin> kubernetesOrigins,
      Map<Class<?>, List<Object>> byType) {
    this.version = from.version + 1;
    this.mesh = from.mesh;
    this.config = from.config;
    this.kubernetes = kubernetes;
    this.replaced = replaced;
    this.kubernetesOrigins = kubernetesOrigins;
    this.messages = from.messages;
    this.meshShadowed = from.meshShadowed;
    this.byType = byType;
    this.workloads = from.workloads;
    this.peerAuthentication = from.peerAuthentication;
    this.authorization = from.authorization;
    this.destinationRuleIndex = from.destinationRuleIndex;
  }

  /**
   * The next snapshot with these EndpointSlices replaced (each already in this one), sharing everything else.
   * Valid only because an EndpointSlice takes part in no index, no workload and no cross-object check, so nothing
   * derived from the other objects can change; the {@link SnapshotBuilder} uses it for slices that parsed without
   * a message. Costs the replaced slices and one pass over the slice list, not the whole snapshot.
   *
   * @throws IllegalArgumentException if a key is not an EndpointSlice of this snapshot
   */
  ConfigSnapshot withEndpointSlices(Map<ResourceKey, EndpointSlice> slices, Map<ResourceKey, Origin> origins) {
    Map<HasMetadata, EndpointSlice> byOld = new IdentityHashMap<>();
    for (Map.Entry<ResourceKey, EndpointSlice> e : slices.entrySet()) {
      HasMetadata old = kubernetes(e.getKey()).orElse(null);
      if (!(old instanceof EndpointSlice)) {
        throw new IllegalArgumentException("EndpointSlice " + e.getKey() + ": not in snapshot " + version
            + " (expected: a replacement of one of its slices)");
      }
      byOld.put(old, e.getValue());
    }
    List<Object> nextSlices = new ArrayList<>(endpointSlices());
    for (int i = 0; i < nextSlices.size(); i++) {
      EndpointSlice replacement = byOld.get(nextSlices.get(i));
      if (replacement != null) {
        nextSlices.set(i, replacement);
      }
    }
    Map<Class<?>, List<Object>> nextByType = new HashMap<>(byType);
    nextByType.put(EndpointSlice.class, Collections.unmodifiableList(nextSlices));

    Map<ResourceKey, Origin> nextOrigins = kubernetesOrigins;
    for (Map.Entry<ResourceKey, Origin> e : origins.entrySet()) {
      if (!e.getValue().equals(nextOrigins.get(e.getKey()))) {
        nextOrigins = new HashMap<>(kubernetesOrigins);
        nextOrigins.putAll(origins);
        nextOrigins = Collections.unmodifiableMap(nextOrigins);
        break;
      }
    }

    Map<ResourceKey, HasMetadata> nextReplaced = new HashMap<>(replaced);
    nextReplaced.putAll(slices);
    if (nextReplaced.size() <= MAX_REPLACED) {
      return new ConfigSnapshot(this, kubernetes, Collections.unmodifiableMap(nextReplaced), nextOrigins,
          nextByType);
    }
    // Folded into a new sorted map now and then: the overlay stays small to copy, lookups stay two maps deep.
    SortedMap<ResourceKey, HasMetadata> folded = new TreeMap<>(kubernetes);
    folded.putAll(nextReplaced);
    return new ConfigSnapshot(this, Collections.unmodifiableSortedMap(folded), Map.of(), nextOrigins, nextByType);
  }

  private Map<ResourceKey, HasMetadata> kubernetesObjects() {
    if (replaced.isEmpty()) {
      return kubernetes;
    }
    Map<ResourceKey, HasMetadata> all = new TreeMap<>(kubernetes);
    all.putAll(replaced);
    return all;
  }

  /** A snapshot with nothing in it, version 0. */
  public static ConfigSnapshot empty(MeshSettings mesh) {
    return new ConfigSnapshot(0, mesh, Map.of(), Map.of(), Map.of(), List.of(), Set.of());
  }

  /** The same snapshot without the messages {@code drop} selects (e.g. an analysis that overlays files on a cluster). */
  public ConfigSnapshot withoutMessages(java.util.function.Predicate<Message> drop) {
    return new ConfigSnapshot(version, mesh, config, kubernetesObjects(), kubernetesOrigins,
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
    HasMetadata object = replaced.get(key);
    return Optional.ofNullable(object != null ? object : kubernetes.get(key));
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
