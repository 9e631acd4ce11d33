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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Not thread-safe: confined to its owner's thread (a Vert.x context), as informer feeds arrange.
 */
public final class ExportIndex {

  private static final Logger LOG = LoggerFactory.getLogger(ExportIndex.class);
  /** EndpointSlice label naming the Service it belongs to (Kubernetes well-known labels). */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final String clusterId;
  private final ExportSettings settings;
  private final ExportSink sink;
  private final boolean exportedOnly;

  private final Map<ObjectKey, Service> services = new HashMap<>();
  private final Set<ObjectKey> exports = new HashSet<>();
  private final Map<ObjectKey, EndpointSlice> slices = new HashMap<>();
  private final Map<ServiceKey, Set<ObjectKey>> slicesByService = new HashMap<>();
  private final Map<ObjectKey, Pod> pods = new HashMap<>();
  private final Map<ObjectKey, Set<ServiceKey>> servicesByPod = new HashMap<>();
  private final Map<String, Namespace> namespaces = new HashMap<>();
  private final Map<ServiceKey, ExportedService> exported = new HashMap<>();

  public ExportIndex(String clusterId, ExportSettings settings, ExportSink sink) {
    this(clusterId, settings, sink, true);
  }

  private ExportIndex(String clusterId, ExportSettings settings, ExportSink sink, boolean exportedOnly) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.exportedOnly = exportedOnly;
  }

  /**
   * An index of every Service, exported or not (ExternalName Services excepted), with the same endpoint semantics:
   * the control plane's view of its own cluster, which routes to local services whether or not they are exported.
   */
  public static ExportIndex everyService(String clusterId, ExportSettings settings, ExportSink sink) {
    return new ExportIndex(clusterId, settings, sink, false);
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
    services.clear();
    exports.clear();
    slices.clear();
    slicesByService.clear();
    pods.clear();
    servicesByPod.clear();
    namespaces.clear();
    for (HasMetadata object : objects) {
      touched.addAll(safely("load", object, () -> put(object)));
    }
    recompute(touched);
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
        slicesByService.computeIfAbsent(owner, k -> new HashSet<>()).add(key);
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
    Set<ObjectKey> owned = slicesByService.get(owner);
    if (owned != null) {
      owned.remove(key);
      if (owned.isEmpty()) {
        slicesByService.remove(owner);
      }
    }
    for (ObjectReference ref : podRefs(old)) {
      ObjectKey pod = new ObjectKey(ref.getNamespace() == null ? key.namespace() : ref.getNamespace(), ref.getName());
      Set<ServiceKey> users = servicesByPod.get(pod);
      if (users != null && !stillReferenced(pod, owner)) {
        users.remove(owner);
        if (users.isEmpty()) {
          servicesByPod.remove(pod);
        }
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
      servicesByPod.computeIfAbsent(pod, k -> new HashSet<>()).add(owner);
    }
  }

  private static List<ObjectReference> podRefs(EndpointSlice slice) {
    if (slice == null || slice.getEndpoints() == null) {
      return List.of();
    }
    return slice.getEndpoints().stream().map(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint::getTargetRef)
        .filter(ref -> ref != null && "Pod".equals(ref.getKind()) && ref.getName() != null).toList();
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

  private void recompute(Collection<ServiceKey> keys) {
    // Sorted: deterministic emission order makes logs and tests readable.
    for (ServiceKey key : new TreeSet<>(keys)) {
      ExportedService next = translate(key);
      ExportedService previous = next == null ? exported.remove(key) : exported.put(key, next);
      if (Objects.equals(previous, next)) {
        continue;
      }
      if (next == null) {
        LOG.debug("cluster {}: {} no longer exported", clusterId, key);
        sink.withdrawn(key);
      } else {
        sink.exported(next);
      }
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
    List<EndpointSlice> owned = slicesByService.getOrDefault(key, Set.of()).stream()
        .sorted(java.util.Comparator.comparing(ObjectKey::name)).map(slices::get).toList();
    return ExportTranslator.translate(key, service, owned, pods::get, settings);
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
