package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.ServiceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster's Services, EndpointSlices, Pods, Namespaces and ServiceExports, indexed so that a change to any of
 * them recomputes only the services it touches, and emits to an {@link ExportSink} only services whose export
 * actually changed. Source-agnostic: fed by informers ({@link InformerFeed}) or by a static list of objects (a
 * directory of YAML) through {@link #replaceAll}.
 *
 * <p>MCS semantics (KEP-1645): a Service is exported while a ServiceExport of the same namespace/name exists;
 * ExternalName Services cannot be exported. Endpoints come from the EndpointSlices labelled
 * {@code kubernetes.io/service-name}.
 *
 * <p>Not thread-safe: confined to its owner's thread (a Vert.x context), as informer feeds arrange. Only the
 * per-service recomputation may run elsewhere, through the {@link OrderedTasks} given at construction, while the
 * owner waits for it.
 */
public final class ExportIndex {

  private static final Logger LOG = LoggerFactory.getLogger(ExportIndex.class);
  /** EndpointSlice label naming the Service it belongs to (Kubernetes well-known labels). */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final String clusterId;
  private final ExportSettings settings;
  private final ExportSink sink;
  private final boolean exportedOnly;
  private final OrderedTasks tasks;

  // Sized for their contents at each bulk load (replaceAll). The sets in slicesByService and servicesByPod are
  // immutable, replaced on change: nearly every one holds a single element.
  private Map<ObjectKey, Service> services = new HashMap<>();
  private final Set<ObjectKey> exports = new HashSet<>();
  private Map<ObjectKey, EndpointSlice> slices = new HashMap<>();
  private Map<ServiceKey, Set<ObjectKey>> slicesByService = new HashMap<>();
  private Map<ObjectKey, Pod> pods = new HashMap<>();
  private Map<ObjectKey, Set<ServiceKey>> servicesByPod = new HashMap<>();
  private final Map<String, Namespace> namespaces = new HashMap<>();
  private final Map<ServiceKey, ExportedService> exported = new HashMap<>();

  public ExportIndex(String clusterId, ExportSettings settings, ExportSink sink) {
    this(clusterId, settings, sink, true, OrderedTasks.SEQUENTIAL);
  }

  private ExportIndex(String clusterId, ExportSettings settings, ExportSink sink, boolean exportedOnly,
      OrderedTasks tasks) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.exportedOnly = exportedOnly;
    this.tasks = Objects.requireNonNull(tasks, "tasks");
  }

  /**
   * An index of every Service, exported or not (ExternalName Services excepted), with the same endpoint semantics:
   * the control plane's view of its own cluster, which routes to local services whether or not they are exported.
   */
  public static ExportIndex everyService(String clusterId, ExportSettings settings, ExportSink sink) {
    return everyService(clusterId, settings, sink, OrderedTasks.SEQUENTIAL);
  }

  /**
   * {@link #everyService(String, ExportSettings, ExportSink)} recomputing the services a change touched through
   * {@code tasks} (e.g. in parallel: each service's translation only reads the index); what reaches the sink, and in
   * which order, is the same.
   */
  public static ExportIndex everyService(String clusterId, ExportSettings settings, ExportSink sink,
      OrderedTasks tasks) {
    return new ExportIndex(clusterId, settings, sink, false, tasks);
  }

  /** Adds or replaces one object; other kinds are ignored. */
  public void upsert(HasMetadata object) {
    recompute(safely("upsert", object, () -> put(object)));
  }

  /** Removes one object. */
  public void delete(HasMetadata object) {
    recompute(safely("delete", object, () -> remove(object)));
  }

  /** One malformed object (a name no Service may have) is reported and skipped; it never stops the index. */
  private Set<ServiceKey> safely(String action, HasMetadata object,
      java.util.function.Supplier<Set<ServiceKey>> change) {
    try {
      return change.get();
    } catch (IllegalArgumentException e) {
      LOG.warn("cluster {}: {} {} {} skipped: {}", clusterId, action, object.getKind(), ObjectKey.of(object),
          e.getMessage());
      return Set.of();
    }
  }

  /**
   * Replaces everything with {@code objects} (a directory reloaded, an informer resynced, a rotated client's first
   * list): only services whose export differs are emitted, so an unchanged cluster causes no churn.
   */
  public void replaceAll(Collection<? extends HasMetadata> objects) {
    Set<ServiceKey> touched = new HashSet<>(exported.keySet());
    int serviceCount = 0;
    int sliceCount = 0;
    int podCount = 0;
    for (HasMetadata object : objects) {
      if (object instanceof Service) {
        serviceCount++;
      } else if (object instanceof EndpointSlice) {
        sliceCount++;
      } else if (object instanceof Pod) {
        podCount++;
      }
    }
    services = sized(serviceCount);
    exports.clear();
    slices = sized(sliceCount);
    slicesByService = sized(sliceCount);
    pods = sized(podCount);
    servicesByPod = sized(podCount);
    namespaces.clear();
    for (HasMetadata object : objects) {
      touched.addAll(safely("load", object, () -> put(object)));
    }
    recompute(touched);
  }

  /** A map holding {@code n} entries without a resize. */
  private static <K, V> Map<K, V> sized(int n) {
    return new HashMap<>(Math.max(16, (int) (n / 0.75f) + 1));
  }

  /** What this cluster exports now. */
  public Map<ServiceKey, ExportedService> exported() {
    return Map.copyOf(exported);
  }

  private Set<ServiceKey> put(HasMetadata object) {
    if (object == null || object.getMetadata() == null || object.getMetadata().getName() == null) {
      return Set.of();
    }
    ObjectKey key = ObjectKey.of(object);
    if (object instanceof Service service) {
      services.put(key, service);
      return Set.of(serviceKey(key));
    }
    if (isServiceExport(object)) {
      exports.add(key);
      return Set.of(serviceKey(key));
    }
    if (object instanceof EndpointSlice slice) {
      Set<ServiceKey> affected = new HashSet<>(unlinkSlice(key));
      ServiceKey owner = sliceOwner(slice);
      if (owner != null) {
        slices.put(key, slice);
        add(slicesByService, owner, key);
        linkPods(slice, owner);
        affected.add(owner);
      }
      return affected;
    }
    if (object instanceof Pod pod) {
      pods.put(key, pod);
      return servicesByPod.getOrDefault(key, Set.of());
    }
    if (object instanceof Namespace namespace) {
      namespaces.put(key.name(), namespace);
      return servicesIn(key.name());
    }
    return Set.of();
  }

  private Set<ServiceKey> remove(HasMetadata object) {
    if (object == null || object.getMetadata() == null || object.getMetadata().getName() == null) {
      return Set.of();
    }
    ObjectKey key = ObjectKey.of(object);
    if (object instanceof Service) {
      services.remove(key);
      return Set.of(serviceKey(key));
    }
    if (isServiceExport(object)) {
      exports.remove(key);
      return Set.of(serviceKey(key));
    }
    if (object instanceof EndpointSlice) {
      return unlinkSlice(key);
    }
    if (object instanceof Pod) {
      pods.remove(key);
      return servicesByPod.getOrDefault(key, Set.of());
    }
    if (object instanceof Namespace) {
      namespaces.remove(key.name());
      return servicesIn(key.name());
    }
    return Set.of();
  }

  private Set<ServiceKey> unlinkSlice(ObjectKey key) {
    EndpointSlice old = slices.remove(key);
    if (old == null) {
      return Set.of();
    }
    ServiceKey owner = sliceOwner(old);
    remove(slicesByService, owner, key);
    for (ObjectReference ref : podRefs(old)) {
      ObjectKey pod = new ObjectKey(ref.getNamespace() == null ? key.namespace() : ref.getNamespace(), ref.getName());
      if (servicesByPod.containsKey(pod) && !stillReferenced(pod, owner)) {
        remove(servicesByPod, pod, owner);
      }
    }
    return Set.of(owner);
  }

  private boolean stillReferenced(ObjectKey pod, ServiceKey owner) {
    for (ObjectKey sliceKey : slicesByService.getOrDefault(owner, Set.of())) {
      for (ObjectReference ref : podRefs(slices.get(sliceKey))) {
        if (ref.getName().equals(pod.name())) {
          return true;
        }
      }
    }
    return false;
  }

  private void linkPods(EndpointSlice slice, ServiceKey owner) {
    for (ObjectReference ref : podRefs(slice)) {
      ObjectKey pod = new ObjectKey(ref.getNamespace() == null ? owner.namespace() : ref.getNamespace(), ref.getName());
      add(servicesByPod, pod, owner);
    }
  }

  /** Adds {@code value} to the immutable set of {@code key}, replacing it. */
  private static <K, V> void add(Map<K, Set<V>> sets, K key, V value) {
    Set<V> before = sets.putIfAbsent(key, Set.of(value));
    if (before != null && !before.contains(value)) {
      Set<V> after = new HashSet<>(before);
      after.add(value);
      sets.put(key, Set.copyOf(after));
    }
  }

  /** Removes {@code value} from the immutable set of {@code key}, replacing it, or dropping it once empty. */
  private static <K, V> void remove(Map<K, Set<V>> sets, K key, V value) {
    Set<V> before = sets.get(key);
    if (before == null || !before.contains(value)) {
      return;
    }
    if (before.size() == 1) {
      sets.remove(key);
      return;
    }
    Set<V> after = new HashSet<>(before);
    after.remove(value);
    sets.put(key, Set.copyOf(after));
  }

  private static List<ObjectReference> podRefs(EndpointSlice slice) {
    if (slice == null || slice.getEndpoints() == null) {
      return List.of();
    }
    List<ObjectReference> refs = new ArrayList<>(slice.getEndpoints().size());
    for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint : slice.getEndpoints()) {
      ObjectReference ref = endpoint.getTargetRef();
      if (ref != null && "Pod".equals(ref.getKind()) && ref.getName() != null) {
        refs.add(ref);
      }
    }
    return refs;
  }

  private Set<ServiceKey> servicesIn(String namespace) {
    Set<ServiceKey> keys = new HashSet<>();
    for (ObjectKey key : services.keySet()) {
      if (key.namespace().equals(namespace)) {
        keys.add(serviceKey(key));
      }
    }
    return keys;
  }

  private void recompute(Set<ServiceKey> keys) {
    // Sorted: deterministic emission order makes logs and tests readable.
    List<ServiceKey> sorted = new ArrayList<>(keys);
    sorted.sort(null);
    // Each translation only reads the index (nothing writes it until they are all done), so they may run on other
    // threads; their results are applied, and a failure rethrown, in key order, as one loop would.
    List<Object> next = tasks.map(sorted.size(), i -> translateOrFailure(sorted.get(i)));
    for (int i = 0; i < sorted.size(); i++) {
      if (next.get(i) instanceof RuntimeException failure) {
        throw failure;
      }
      apply(sorted.get(i), (ExportedService) next.get(i));
    }
  }

  private Object translateOrFailure(ServiceKey key) {
    try {
      return translate(key);
    } catch (RuntimeException e) {
      return e;
    }
  }

  private void apply(ServiceKey key, ExportedService next) {
    ExportedService previous = next == null ? exported.remove(key) : exported.put(key, next);
    if (Objects.equals(previous, next)) {
      return;
    }
    if (next == null) {
      LOG.debug("cluster {}: {} no longer exported", clusterId, key);
      sink.withdrawn(key);
    } else {
      sink.exported(next);
    }
  }

  private ExportedService translate(ServiceKey key) {
    ObjectKey objectKey = new ObjectKey(key.namespace(), key.name());
    Service service = services.get(objectKey);
    if (service == null || exportedOnly && !exports.contains(objectKey) || service.getSpec() == null
        || !namespaceSelected(key)) {
      return null;
    }
    if ("ExternalName".equals(service.getSpec().getType())) {
      if (!exportedOnly) {
        return null;
      }
      LOG.warn("cluster {}: ServiceExport {}: ExternalName Services cannot be exported (MCS KEP-1645); ignored",
          clusterId, key);
      return null;
    }
    List<EndpointSlice> owned = owned(key);
    return ExportTranslator.translate(key, service, owned, pods::get, settings);
  }

  /** The service's EndpointSlices by name. */
  private List<EndpointSlice> owned(ServiceKey key) {
    Set<ObjectKey> keys = slicesByService.get(key);
    if (keys == null) {
      return List.of();
    }
    if (keys.size() == 1) {
      return Collections.singletonList(slices.get(keys.iterator().next()));
    }
    List<ObjectKey> byName = new ArrayList<>(keys);
    byName.sort(Comparator.comparing(ObjectKey::name));
    List<EndpointSlice> owned = new ArrayList<>(byName.size());
    for (ObjectKey sliceKey : byName) {
      owned.add(slices.get(sliceKey));
    }
    return owned;
  }

  private boolean namespaceSelected(ServiceKey key) {
    if (settings.namespaceSelector().isEmpty()) {
      return true;
    }
    Namespace namespace = namespaces.get(key.namespace());
    Map<String, String> labels = namespace == null ? null : namespace.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(settings.namespaceSelector().entrySet());
  }

  private static ServiceKey sliceOwner(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    if (service == null) {
      return null;
    }
    try {
      return ServiceKey.of(slice.getMetadata().getNamespace(), service);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static ServiceKey serviceKey(ObjectKey key) {
    return ServiceKey.of(key.namespace(), key.name());
  }

  /** A typed {@link ServiceExport}, or the same object parsed generically (e.g. from YAML without the type). */
  static boolean isServiceExport(HasMetadata object) {
    if (object instanceof ServiceExport) {
      return true;
    }
    return object instanceof GenericKubernetesResource generic && "ServiceExport".equals(generic.getKind())
        && generic.getApiVersion() != null && generic.getApiVersion().startsWith(ServiceExport.GROUP + "/");
  }
}
