package io.meshfed.control.plane.translate;

import com.google.protobuf.Message;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.istio.PeerAuthentication;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.endpoints.LoadAssignments;
import io.meshfed.control.plane.translate.model.LocalServices;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.Names;
import io.meshfed.control.plane.translate.model.Problems;
import io.meshfed.control.plane.translate.model.ServiceRegistry;
import io.meshfed.control.plane.translate.security.Secrets;
import io.meshfed.control.plane.istio.ServiceExport;
import io.meshfed.control.plane.xds.OrderedChunks;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import io.meshfed.federation.catalog.ServiceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Translates a {@link MeshView} into one xDS snapshot per gateway group (docs/translation.md, docs/xds-profile.md).
 *
 * <p>Stateful and incremental: it keeps what it built for the previous view, so a view that differs only in a few
 * services' endpoints rebuilds only those services' load assignments and derives the next snapshots from the
 * previous ones (unchanged resources keep their versions, so the ADS server pushes a small delta). Any other change
 * (Istio config, Secrets, a service's ports or existence, the gateway groups, the mesh's identity) translates
 * everything again, still reusing every cluster and load assignment whose inputs did not change.
 *
 * <p>Not thread-safe: confine it to one thread, and not an event loop (a full translation of a large mesh takes
 * hundreds of milliseconds); for example a Vert.x worker with ordered {@code executeBlocking}.
 */
public final class MeshTranslator {

  private final OrderedChunks chunks;
  private final Caches caches;
  private final Map<String, GroupState> groups = new HashMap<>();
  private LocalServices local;
  private ServiceRegistry registry;
  private LoadAssignments loadAssignments;
  private MeshView last;
  private List<ConfigResource> lastConfig = List.of();
  private List<PeerAuthentication> lastPeerAuthentications = List.of();
  private int peerAuthenticationGeneration;
  private List<TranslationProblem> configProblems = List.of();
  private Map<ServiceKey, Map<String, String>> exports = Map.of();

  private MeshTranslator(OrderedChunks chunks) {
    this.chunks = chunks;
    this.caches = new Caches(chunks);
  }

  public static MeshTranslator create() {
    return new MeshTranslator(OrderedChunks.DEFAULT);
  }

  /**
   * A translator building in parallel as {@code chunks} says; {@link OrderedChunks#SEQUENTIAL} is the
   * straightforward one-thread path the parallel ones are tested against.
   */
  static MeshTranslator create(OrderedChunks chunks) {
    return new MeshTranslator(chunks);
  }

  /** The snapshots for every group of the view, and the problems met. */
  public Translation translate(MeshView view) {
    Objects.requireNonNull(view, "view");
    long start = System.nanoTime();
    ConfigSnapshot config = view.config();
    if (local == null || last == null || !last.clusterId().equals(view.clusterId())) {
      local = new LocalServices(view.clusterId(), chunks::map);
      registry = null;
    }
    Set<ServiceKey> localChanges = local.update(config, view.locality());
    ServiceRegistry previousRegistry = registry;
    boolean sameExports = last != null && sameInstances(config.serviceExports(), last.config().serviceExports());
    if (!sameExports) {
      exports = exports(config);
    }
    ServiceRegistry.Inputs inputs = new ServiceRegistry.Inputs(view.clusterId(), config.mesh().domainSuffix(),
        config.services(), local.services(), exports, view.catalog().services(), config.serviceEntries());
    Optional<Set<String>> changedServices = Optional.empty();
    if (previousRegistry != null && sameExports && sameInstances(config.services(), last.config().services())
        && sameInstances(config.serviceEntries(), last.config().serviceEntries())
        && config.mesh().equals(last.config().mesh())) {
      // Only endpoints may have changed: rebuild just the services whose endpoints did.
      Set<ServiceKey> keys = new HashSet<>(localChanges);
      keys.addAll(changedKeys(view.catalog().services(), last.catalog().services()));
      registry = previousRegistry.withChanges(keys, inputs);
      Set<String> fqdns = new HashSet<>();
      keys.forEach(k -> fqdns.add(k.hostname(config.mesh().domainSuffix())));
      changedServices = Optional.of(fqdns);
    } else {
      registry = ServiceRegistry.build(inputs, previousRegistry, chunks::map);
    }
    List<ConfigResource> allConfig = config.allConfig();
    List<PeerAuthentication> peerAuthentications = config.peerAuthentications();
    if (!sameInstances(peerAuthentications, lastPeerAuthentications)) {
      peerAuthenticationGeneration++;
      lastPeerAuthentications = peerAuthentications;
    }
    LoadAssignments.Context endpointContext = new LoadAssignments.Context(view.clusterId(), view.network(),
        view.catalog().clusters(), config.peerAuthenticationIndex());
    if (loadAssignments == null) {
      loadAssignments = new LoadAssignments(endpointContext);
    } else {
      loadAssignments.context(endpointContext);
    }
    Optional<Set<String>> endpointOnly = endpointOnlyChanges(view, allConfig, previousRegistry, changedServices);
    Translation translation = endpointOnly.isPresent()
        ? incremental(view, endpointOnly.get(), start)
        : full(view, start);
    last = view;
    lastConfig = allConfig;
    return translation;
  }

  private static Map<ServiceKey, Map<String, String>> exports(ConfigSnapshot config) {
    Map<ServiceKey, Map<String, String>> exports = new HashMap<>();
    for (ServiceExport export : config.serviceExports()) {
      try {
        exports.put(ServiceKey.of(export.meta().namespace(), export.meta().name()), export.meta().annotations());
      } catch (IllegalArgumentException e) {
        // not a valid service name: it exports nothing
      }
    }
    return exports;
  }

  /**
   * The services whose endpoints alone changed, when nothing else did; empty when a full translation is needed.
   */
  private Optional<Set<String>> endpointOnlyChanges(MeshView view, List<ConfigResource> allConfig,
      ServiceRegistry previous, Optional<Set<String>> candidates) {
    if (last == null || previous == null || !sameIdentity(last, view) || !sameInstances(allConfig, lastConfig)
        || !sameInstances(view.config().secrets(), last.config().secrets())
        || !sameValues(view.catalog().clusters(), last.catalog().clusters())
        || registry.size() != previous.size()) {
      return Optional.empty();
    }
    Set<String> changed = new HashSet<>();
    Iterable<String> fqdns = candidates.isPresent() ? candidates.get()
        : registry.all().stream().map(MeshService::fqdn).toList();
    for (String fqdn : fqdns) {
      MeshService service = registry.get(fqdn);
      MeshService before = previous.get(fqdn);
      if (before == service) {
        continue;
      }
      if (before == null || service == null || !before.shape().equals(service.shape())) {
        return Optional.empty();
      }
      changed.add(fqdn);
    }
    return Optional.of(changed);
  }

  /** Keys whose value differs (by identity) between two catalog states, added and removed ones included. */
  private static Set<ServiceKey> changedKeys(Map<ServiceKey, ?> now, Map<ServiceKey, ?> before) {
    Set<ServiceKey> changed = new HashSet<>();
    if (now == before) {
      return changed;
    }
    int kept = 0;
    for (Map.Entry<ServiceKey, ?> e : now.entrySet()) {
      Object old = before.get(e.getKey());
      if (old != null) {
        kept++;
      }
      if (old != e.getValue()) {
        changed.add(e.getKey());
      }
    }
    if (kept < before.size()) {
      for (ServiceKey key : before.keySet()) {
        if (!now.containsKey(key)) {
          changed.add(key);
        }
      }
    }
    return changed;
  }

  private static boolean sameIdentity(MeshView a, MeshView b) {
    return a.meshId().equals(b.meshId()) && a.clusterId().equals(b.clusterId()) && a.network().equals(b.network())
        && a.locality().equals(b.locality()) && a.trustDomain().equals(b.trustDomain())
        && a.trustDomainAliases().equals(b.trustDomainAliases())
        && a.outboundTrafficPolicy() == b.outboundTrafficPolicy()
        && a.trustBundlePem().equals(b.trustBundlePem()) && a.gatewayCredentials().equals(b.gatewayCredentials())
        && a.extAuthzProviders().equals(b.extAuthzProviders()) && a.gateways().equals(b.gateways())
        && a.traceSamplingPercent() == b.traceSamplingPercent()
        && a.config().mesh().equals(b.config().mesh());
  }

  private static boolean sameInstances(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  private static <K, V> boolean sameValues(Map<K, V> a, Map<K, V> b) {
    if (a == b) {
      return true;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<K, V> e : a.entrySet()) {
      if (b.get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Translation incremental(MeshView view, Set<String> changed, long start) {
    caches.beginIncremental();
    int changedResources = 0;
    Set<String> changedGroups = new HashSet<>();
    for (Map.Entry<String, GroupState> entry : groups.entrySet()) {
      GroupState state = entry.getValue();
      List<VersionedResource> assignments = new ArrayList<>();
      for (String fqdn : changed) {
        List<EdsRef> refs = state.endpointsByService.get(fqdn);
        if (refs == null) {
          continue;
        }
        MeshService service = registry.get(fqdn);
        for (int i = 0; i < refs.size(); i++) {
          EdsRef ref = refs.get(i).with(service);
          refs.set(i, ref);
          Problems problems = new Problems();
          assignments.add(endpoints(ref, Caches.keys(ref), problems).assignment());
          state.endpointProblems(ref.name(), problems.all());
        }
      }
      int n = state.put(XdsResourceType.ENDPOINT, assignments);
      if (n > 0) {
        changedGroups.add(entry.getKey());
        changedResources += n;
      }
    }
    caches.builtAndReset();
    return result(changedGroups, true, start, changedResources);
  }

  private Translation full(MeshView view, long start) {
    caches.beginFull();
    Problems problems = new Problems();
    Map<String, GroupState> next = new HashMap<>();
    Set<String> changedGroups = new HashSet<>();
    int changedResources = 0;
    for (GatewayGroup group : view.gateways().values()) {
      problems.group(group.key());
      if (!group.clusterId().equals(view.clusterId())) {
        problems.report(Kind.FOREIGN_GATEWAY, Optional.empty(), "", "gateway group " + group.key() + " belongs to "
            + "cluster " + group.clusterId() + ", this control plane translates for " + view.clusterId()
            + "; it gets no configuration", "point the gateway at its own cluster's control plane, or fix its "
            + "CLUSTER_ID");
        continue;
      }
      GroupState previous = groups.get(group.key());
      GroupState state = new GroupState();
      GroupTranslation gt = new GroupTranslation(view, group, registry, problems, outboundFlavor(group),
          chunks);
      translateListeners(gt, problems);
      Map<XdsResourceType, SortedMap<String, VersionedResource>> resources = resources(gt, state, problems);
      if (previous != null) {
        state.snapshot = previous.snapshot;
      }
      int n = state.apply(resources);
      if (previous == null || n > 0) {
        changedGroups.add(group.key());
      }
      changedResources += n;
      next.put(group.key(), state);
    }
    problems.group("");
    gatewaysSelectingNothing(view, problems);
    groups.clear();
    groups.putAll(next);
    caches.endFull();
    caches.builtAndReset();
    configProblems = problems.all();
    return result(changedGroups, false, start, changedResources);
  }

  private static Flavor outboundFlavor(GatewayGroup group) {
    if (group.form() == GatewayGroup.Form.PROXYLESS) {
      return Flavor.PROXYLESS;
    }
    return group.role().orElse(null) == GatewayRole.EASTWEST ? Flavor.MESH_OUTBOUND : Flavor.GATEWAY;
  }

  private static void translateListeners(GroupTranslation gt, Problems problems) {
    GatewayGroup group = gt.group;
    if (group.role().isEmpty()) {
      new MeshProxyless(gt).translate();
    } else if (group.role().get() == GatewayRole.EASTWEST) {
      if (group.form() == GatewayGroup.Form.PROXYLESS) {
        problems.report(Kind.UNSUPPORTED, Optional.empty(), "", "a proxyless gRPC client announcing ROLE eastwest "
            + "gets no configuration", "drop ROLE from the client's node metadata to get the mesh's services");
        return;
      }
      new EastWestListeners(gt).translate();
    } else {
      new GatewayServers(gt).translate();
    }
  }

  /**
   * Every resource of a translated group, packed: its listeners and routes, the clusters they need, secrets.
   * Clusters and load assignments come packed from the caches.
   */
  private Map<XdsResourceType, SortedMap<String, VersionedResource>> resources(GroupTranslation gt,
      GroupState state, Problems problems) {
    Map<XdsResourceType, SortedMap<String, VersionedResource>> out = new EnumMap<>(XdsResourceType.class);
    out.put(XdsResourceType.LISTENER, packed(XdsResourceType.LISTENER, gt.listeners, gt.packedListeners));
    out.put(XdsResourceType.ROUTE, packed(XdsResourceType.ROUTE, gt.routes, gt.packedRoutes));
    SortedMap<String, VersionedResource> clusters = new TreeMap<>();
    SortedMap<String, VersionedResource> endpoints = new TreeMap<>();
    List<Caches.Keys> keys = caches.prebuild(gt.clusters.values(), loadAssignments, peerAuthenticationGeneration);
    int i = 0;
    for (ClusterRef ref : gt.clusters.values()) {
      clusterAndEndpoints(ref, keys.get(i++), state, clusters, endpoints);
    }
    out.put(XdsResourceType.CLUSTER, clusters);
    out.put(XdsResourceType.ENDPOINT, endpoints);
    out.put(XdsResourceType.SECRET, packed(XdsResourceType.SECRET, secrets(gt, problems), Map.of()));
    return out;
  }

  /** A cluster and its load assignment, in the group's order (a method per cluster: the JIT compiles it early). */
  private void clusterAndEndpoints(ClusterRef ref, Caches.Keys keys, GroupState state,
      SortedMap<String, VersionedResource> clusters, SortedMap<String, VersionedResource> endpoints) {
    clusters.put(ref.name(), caches.cluster(keys));
    if (ref.eds().isPresent()) {
      EdsRef eds = ref.eds().get();
      Problems own = new Problems();
      endpoints.put(eds.name(), endpoints(eds, keys, own).assignment());
      state.endpointProblems(eds.name(), own.all());
      state.index(eds);
    }
  }

  /** Messages packed (large batches in parallel) and resources packed already, by name. */
  private static SortedMap<String, VersionedResource> packed(XdsResourceType type,
      Map<String, ? extends Message> byName, Map<String, VersionedResource> packed) {
    SortedMap<String, VersionedResource> out = new TreeMap<>(packed);
    for (VersionedResource resource : Snapshot.Builder.packAll(type, byName.values())) {
      if (out.put(resource.name(), resource) != null) {
        throw new IllegalStateException(type.shortName() + " " + resource.name() + " built twice");
      }
    }
    return out;
  }

  private Caches.Named endpoints(EdsRef ref, Caches.Keys keys, Problems problems) {
    Caches.Named assignment = caches.endpoints(ref, keys, loadAssignments, peerAuthenticationGeneration, problems);
    if (!ref.subsetName().isEmpty() && assignment.localities() == 0 && ref.subsetRule().isPresent()) {
      int index = ref.subsetRule().get().subsets().indexOf(ref.subsetRule().get().subset(ref.subsetName())
          .orElseThrow());
      problems.report(Kind.SUBSET_WITHOUT_ENDPOINTS, ref.subsetRule().get(), "spec.subsets[" + index + "]",
          "subset \"" + ref.subsetName() + "\" of " + ref.service().fqdn() + " port " + ref.port().number()
              + " selects no endpoint " + switch (ref.scope()) {
                case LOCAL -> "in this cluster";
                case REMOTE -> "in other clusters";
                case ALL -> "in any cluster";
              } + " (labels " + ref.subset() + "); requests to it fail with 503 (no healthy upstream)",
          "check the subset's labels against the pods' labels, or deploy that version");
    }
    return assignment;
  }

  private static Map<String, Message> secrets(GroupTranslation gt, Problems problems) {
    Map<String, Message> secrets = new TreeMap<>();
    MeshView view = gt.view;
    for (String name : gt.secrets) {
      if (name.equals(Names.DEFAULT_SECRET)) {
        TlsCredential credential = view.gatewayCredentials().get(gt.group.key());
        if (credential != null) {
          secrets.put(name, Secrets.svid(credential));
        }
      } else if (name.equals(Names.ROOT_CA_SECRET)) {
        if (!view.trustBundlePem().isEmpty()) {
          secrets.put(name, Secrets.rootCa(view.trustBundlePem()));
        }
      } else if (name.startsWith("kubernetes://")) {
        kubernetesSecret(gt, name.substring("kubernetes://".length()), problems).ifPresent(s -> secrets.put(name, s));
      }
    }
    return secrets;
  }

  private static Optional<Message> kubernetesSecret(GroupTranslation gt, String credential, Problems problems) {
    String namespace = gt.group.namespace();
    boolean ca = credential.endsWith("-cacert");
    Optional<io.fabric8.kubernetes.api.model.Secret> own = find(gt, namespace, credential);
    if (ca) {
      String base = credential.substring(0, credential.length() - "-cacert".length());
      Optional<Message> fromOwn = own.flatMap(s -> Secrets.caCertificate(base, s)).map(Message.class::cast);
      if (fromOwn.isPresent()) {
        return fromOwn;
      }
      Optional<Message> fromBase = find(gt, namespace, base).flatMap(s -> Secrets.caCertificate(base, s))
          .map(Message.class::cast);
      if (fromBase.isEmpty()) {
        problems.report(Kind.MISSING_SECRET, Optional.of(new ResourceKey("Secret", namespace, base)), "data",
            "no CA certificate for " + base + ": neither Secret " + namespace + "/" + base + " (key ca.crt or "
                + "cacert) nor Secret " + namespace + "/" + credential + " has one; mutual TLS using it waits",
            "add ca.crt to Secret " + namespace + "/" + base);
      }
      return fromBase;
    }
    if (own.isEmpty()) {
      problems.report(Kind.MISSING_SECRET, Optional.of(new ResourceKey("Secret", namespace, credential)), "",
          "Secret " + namespace + "/" + credential + " (credentialName) does not exist in the gateway's namespace; "
              + "the TLS it configures waits for it", "create it in namespace " + namespace + " with tls.crt and "
              + "tls.key (kubectl create secret tls " + credential + " -n " + namespace + " ...)");
      return Optional.empty();
    }
    Optional<Message> certificate = Secrets.certificate(credential, own.get()).map(Message.class::cast);
    if (certificate.isEmpty()) {
      problems.report(Kind.MISSING_SECRET, Optional.of(new ResourceKey("Secret", namespace, credential)), "data",
          "has no certificate and key (expected: keys tls.crt and tls.key, or cert and key)",
          "store the certificate chain and private key under tls.crt and tls.key");
    }
    return certificate;
  }

  private static Optional<io.fabric8.kubernetes.api.model.Secret> find(GroupTranslation gt, String namespace,
      String name) {
    return gt.view.config().secrets().stream().filter(s -> namespace.equals(s.getMetadata().getNamespace())
        && name.equals(s.getMetadata().getName())).findFirst();
  }

  /** Istio Gateways that no connected gateway group of this cluster matches. */
  private static void gatewaysSelectingNothing(MeshView view, Problems problems) {
    for (Gateway gateway : view.config().gateways()) {
      boolean selected = view.gateways().values().stream()
          .anyMatch(g -> g.clusterId().equals(view.clusterId()) && GatewayServers.selects(gateway, g));
      if (!selected) {
        problems.report(Kind.GATEWAY_SELECTS_NOTHING, gateway, "spec.selector", "selector " + gateway.selector()
            + " matches none of the connected gateways of cluster " + view.clusterId() + " (" + view.gateways()
            .values().stream().filter(g -> g.clusterId().equals(view.clusterId()))
            .map(g -> g.key() + " " + g.labels()).toList() + "); its servers are not served", "fix the selector to "
            + "match the gateway pods' labels (e.g. istio: ingressgateway), or deploy the gateway");
      }
    }
  }

  private Translation result(Set<String> changedGroups, boolean incremental, long start, int changedResources) {
    Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    Problems all = new Problems();
    for (TranslationProblem p : configProblems) {
      all.merge(p);
    }
    int resources = 0;
    for (Map.Entry<String, GroupState> e : new TreeMap<>(groups).entrySet()) {
      snapshots.put(e.getKey(), e.getValue().snapshot);
      resources += e.getValue().size();
      all.group(e.getKey());
      e.getValue().endpointProblems().forEach(all::replay);
    }
    return new Translation(snapshots, all.all(), changedGroups, new Translation.Stats(incremental,
        Duration.ofNanos(System.nanoTime() - start), registry.size(), resources, changedResources));
  }
}
