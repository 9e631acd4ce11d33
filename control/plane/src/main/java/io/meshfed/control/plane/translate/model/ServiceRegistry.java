package io.meshfed.control.plane.translate.model;

import io.fabric8.kubernetes.api.model.Service;
import io.meshfed.control.plane.istio.HostNames;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.istio.Visibility;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.catalog.ServicePort;
import io.meshfed.federation.discovery.OrderedTasks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every host the mesh routes to, by FQDN: this cluster's Kubernetes Services, services exported by other clusters
 * (MCS namespace sameness: {@code reviews.default} is one service in every cluster), and ServiceEntry hosts. A
 * Kubernetes or exported service wins over a ServiceEntry for the same host.
 */
public final class ServiceRegistry {

  /** Changes a derived registry holds apart from its base before they are folded into a copy of it (at least). */
  private static final int FLATTEN_AT = 64;

  /**
   * The services by FQDN as last built in full, never changed afterwards: registries derived by {@link #withChanges}
   * share it and hold their changes apart, so one endpoint change does not copy ten thousand services.
   */
  private final Map<String, MeshService> base;
  /** The services changed since {@link #base} was built, by FQDN; null for a service gone since. */
  private final Map<String, MeshService> changes;
  private final int concreteSize;
  private final List<MeshService> wildcardEntries;
  // Computed on first use, without a lock: the registry never changes once built, and the lists (Stream.toList,
  // List.copyOf) are immutable with final fields, so a thread that sees one sees it whole; a race only computes it
  // twice.
  private List<MeshService> all;
  private List<MeshService> byName;

  private ServiceRegistry(Map<String, MeshService> base, Map<String, MeshService> changes,
      List<MeshService> wildcardEntries) {
    this.base = base;
    this.changes = changes;
    this.wildcardEntries = wildcardEntries;
    int size = base.size();
    for (Map.Entry<String, MeshService> change : changes.entrySet()) {
      boolean before = base.containsKey(change.getKey());
      size += change.getValue() == null ? (before ? -1 : 0) : (before ? 0 : 1);
    }
    this.concreteSize = size;
  }

  /** How many changes this registry holds apart from its base (0 once they are folded into a copy). */
  int changesHeldApart() {
    return changes.size();
  }

  /** A service with a concrete host by FQDN, or null. */
  private MeshService find(String fqdn) {
    if (changes.isEmpty()) {
      return base.get(fqdn);
    }
    MeshService changed = changes.get(fqdn);
    return changed != null || changes.containsKey(fqdn) ? changed : base.get(fqdn);
  }

  /** What the registry is built from. */
  public record Inputs(String clusterId, String domainSuffix, List<Service> services,
      Map<ServiceKey, ExportedService> localEndpoints, Map<ServiceKey, Map<String, String>> exports,
      Map<ServiceKey, FederatedService> catalog, List<ServiceEntry> serviceEntries) {
  }

  /**
   * Builds the registry, reusing {@code previous}'s {@link MeshService} instances whose inputs are the same
   * objects.
   *
   * @param inputs {@code exports}: this cluster's ServiceExports by service, with their annotations
   */
  public static ServiceRegistry build(Inputs inputs, ServiceRegistry previous) {
    return build(inputs, previous, OrderedTasks.SEQUENTIAL);
  }

  /**
   * {@link #build(Inputs, ServiceRegistry)} building the Kubernetes Services' entries through {@code tasks} (each a
   * function of the inputs and {@code previous} alone, which nothing writes meanwhile), taken in the Services' order:
   * the same registry on any threads.
   */
  public static ServiceRegistry build(Inputs inputs, ServiceRegistry previous, OrderedTasks tasks) {
    Map<String, MeshService> byFqdn = new HashMap<>(inputs.services().size() * 2 + inputs.catalog().size());
    String suffix = inputs.domainSuffix();
    // A method per service, not one large loop body: the JIT compiles it early (docs/translation.md, "Speed").
    List<Service> services = inputs.services();
    for (MeshService built : tasks.map(services.size(), i -> kubernetes(inputs, services.get(i), previous))) {
      if (built != null) {
        byFqdn.put(built.fqdn(), built);
      }
    }
    for (Map.Entry<ServiceKey, FederatedService> e : inputs.catalog().entrySet()) {
      String fqdn = e.getKey().hostname(suffix);
      if (!byFqdn.containsKey(fqdn)) {
        MeshService built = remote(inputs, fqdn, e.getKey(), e.getValue(), previous);
        if (built != null) {
          byFqdn.put(fqdn, built);
        }
      }
    }
    List<MeshService> wildcards = new ArrayList<>();
    for (ServiceEntry entry : inputs.serviceEntries()) {
      String namespace = entry.meta().namespace();
      List<PortSpec> ports = entry.ports().stream().map(p -> new PortSpec(p.name(), p.number(),
          Protocol.of(p.protocol()), p.targetPort().orElse(0))).toList();
      for (String host : entry.hosts()) {
        String fqdn = HostNames.resolve(host, namespace, suffix);
        if (byFqdn.containsKey(fqdn)) {
          continue;
        }
        MeshService reused = reuse(previous, fqdn, null, null, null, false, null, entry);
        MeshService service = reused != null ? reused : new MeshService(MeshService.Kind.SERVICE_ENTRY, fqdn,
            namespace, fqdn, ports, entry.exportTo(), null, null, null, false, null, entry, inputs.clusterId());
        if (fqdn.startsWith("*")) {
          wildcards.add(service);
        } else {
          byFqdn.put(fqdn, service);
        }
      }
    }
    return new ServiceRegistry(byFqdn, Map.of(), List.copyOf(wildcards));
  }

  /** A Kubernetes Service of this cluster (reused from {@code previous} if its inputs are the same); null if none. */
  private static MeshService kubernetes(Inputs inputs, Service service, ServiceRegistry previous) {
    if (service.getSpec() == null || "ExternalName".equals(service.getSpec().getType())) {
      return null;
    }
    String namespace = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    ServiceKey key;
    try {
      key = ServiceKey.of(namespace, name);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String fqdn = key.hostname(inputs.domainSuffix());
    Map<String, String> export = inputs.exports().get(key);
    MeshService reused = reuse(previous, fqdn, service, inputs.localEndpoints().get(key), inputs.catalog().get(key),
        export != null, export, null);
    return reused != null ? reused : new MeshService(MeshService.Kind.KUBERNETES, fqdn, namespace, name,
        kubernetesPorts(service), exportTo(service), service, inputs.localEndpoints().get(key),
        inputs.catalog().get(key), export != null, export, null, inputs.clusterId());
  }

  /** A service only other clusters export (reused from {@code previous} if the same); null if none does. */
  private static MeshService remote(Inputs inputs, String fqdn, ServiceKey key, FederatedService federated,
      ServiceRegistry previous) {
    List<ClusterExport> others = federated.clusters().values().stream()
        .filter(c -> !c.clusterId().equals(inputs.clusterId())).toList();
    if (others.isEmpty()) {
      return null; // only this cluster's own (stale) entry: its Service is gone
    }
    MeshService reused = reuse(previous, fqdn, null, null, federated, false, null, null);
    return reused != null ? reused : new MeshService(MeshService.Kind.REMOTE, fqdn, key.namespace(), key.name(),
        remotePorts(others), List.of(), null, null, federated, false, null, null, inputs.clusterId());
  }

  /**
   * This registry with the services of {@code keys} rebuilt from {@code inputs}: for a view whose Kubernetes
   * Services, ServiceExports and ServiceEntries are the same objects as this registry's, and whose endpoints (local
   * or in the catalog) changed only for those keys. Services that appear or disappear are added or dropped.
   */
  public ServiceRegistry withChanges(java.util.Set<ServiceKey> keys, Inputs inputs) {
    Map<String, MeshService> next = new HashMap<>(changes);
    String suffix = inputs.domainSuffix();
    for (ServiceKey key : keys) {
      String fqdn = key.hostname(suffix);
      MeshService old = find(fqdn);
      ExportedService local = inputs.localEndpoints().get(key);
      FederatedService federated = inputs.catalog().get(key);
      if (old != null && old.kind() == MeshService.Kind.KUBERNETES) {
        Service service = old.kubernetes().orElseThrow();
        Map<String, String> export = inputs.exports().get(key);
        if (!old.sameInputs(service, local, federated, export != null, export, null)) {
          next.put(fqdn, new MeshService(MeshService.Kind.KUBERNETES, fqdn, old.namespace(), old.name(), old.ports(),
              old.exportTo(), service, local, federated, export != null, export, null, inputs.clusterId()));
        }
        continue;
      }
      if (old != null && old.kind() == MeshService.Kind.SERVICE_ENTRY) {
        continue; // a ServiceEntry host: the catalog does not own it
      }
      List<ClusterExport> others = federated == null ? List.of() : federated.clusters().values().stream()
          .filter(c -> !c.clusterId().equals(inputs.clusterId())).toList();
      if (others.isEmpty()) {
        if (old != null) {
          next.put(fqdn, null);
        }
      } else if (old == null || !old.sameInputs(null, null, federated, false, null, null)) {
        next.put(fqdn, new MeshService(MeshService.Kind.REMOTE, fqdn, key.namespace(), key.name(),
            remotePorts(others), List.of(), null, null, federated, false, null, null, inputs.clusterId()));
      }
    }
    if (next.size() <= Math.max(FLATTEN_AT, base.size() / 16)) {
      return new ServiceRegistry(base, next, wildcardEntries);
    }
    // Enough changes piled up that each derived registry's copy of them costs more than one copy of everything.
    Map<String, MeshService> flat = new HashMap<>(base);
    next.forEach((fqdn, service) -> {
      if (service == null) {
        flat.remove(fqdn);
      } else {
        flat.put(fqdn, service);
      }
    });
    return new ServiceRegistry(flat, Map.of(), wildcardEntries);
  }

  private static MeshService reuse(ServiceRegistry previous, String fqdn, Service service, ExportedService local,
      FederatedService federated, boolean exported, Map<String, String> exportAnnotations, ServiceEntry entry) {
    if (previous == null) {
      return null;
    }
    MeshService old = previous.find(fqdn);
    if (old == null && entry != null) {
      old = previous.wildcardEntries.stream().filter(s -> s.fqdn().equals(fqdn)).findFirst().orElse(null);
    }
    return old != null && old.sameInputs(service, local, federated, exported, exportAnnotations, entry) ? old : null;
  }

  /** A service by FQDN if it exists and {@code clientNamespace} may see it (exportTo). */
  public Optional<MeshService> lookup(String fqdn, String clientNamespace) {
    MeshService service = find(fqdn);
    if (service == null) {
      for (MeshService wildcard : wildcardEntries) {
        if (HostNames.matches(wildcard.fqdn(), fqdn)) {
          service = wildcard;
          break;
        }
      }
    }
    if (service == null || !Visibility.visible(service.exportTo(), service.namespace(), clientNamespace)) {
      return Optional.empty();
    }
    return Optional.of(service);
  }

  /** Whether the host exists at all (for messages telling "not exported to your namespace" from "unknown"). */
  public boolean exists(String fqdn) {
    return find(fqdn) != null || wildcardEntries.stream().anyMatch(w -> HostNames.matches(w.fqdn(), fqdn));
  }

  /** Every service with a concrete host (wildcard ServiceEntry hosts excepted). */
  public Collection<MeshService> all() {
    if (changes.isEmpty()) {
      return Collections.unmodifiableCollection(base.values());
    }
    List<MeshService> merged = all;
    if (merged == null) {
      List<MeshService> services = new ArrayList<>(concreteSize);
      base.forEach((fqdn, service) -> {
        if (!changes.containsKey(fqdn)) {
          services.add(service);
        }
      });
      changes.values().forEach(service -> {
        if (service != null) {
          services.add(service);
        }
      });
      merged = List.copyOf(services);
      all = merged;
    }
    return merged;
  }

  /**
   * {@link #all()} in FQDN order; sorted once per registry (each gateway group's translation walks the services in
   * this order, some twice).
   */
  public List<MeshService> sorted() {
    List<MeshService> sorted = byName;
    if (sorted == null) {
      sorted = all().stream().sorted(Comparator.comparing(MeshService::fqdn)).toList();
      byName = sorted;
    }
    return sorted;
  }

  public MeshService get(String fqdn) {
    return find(fqdn);
  }

  public int size() {
    return concreteSize + wildcardEntries.size();
  }

  private static List<PortSpec> kubernetesPorts(Service service) {
    List<PortSpec> ports = new ArrayList<>();
    if (service.getSpec().getPorts() != null) {
      for (io.fabric8.kubernetes.api.model.ServicePort port : service.getSpec().getPorts()) {
        if (port.getPort() == null || "UDP".equals(port.getProtocol()) || "SCTP".equals(port.getProtocol())) {
          continue;
        }
        String name = port.getName() == null ? "" : port.getName();
        ports.add(new PortSpec(name, port.getPort(), Protocol.of(name, port.getAppProtocol()), 0));
      }
    }
    return ports;
  }

  private static List<PortSpec> remotePorts(List<ClusterExport> exports) {
    Map<Integer, PortSpec> ports = new java.util.TreeMap<>();
    for (ClusterExport export : exports) {
      for (ServicePort port : export.ports()) {
        if ("UDP".equals(port.protocol()) || "SCTP".equals(port.protocol())) {
          continue;
        }
        ports.putIfAbsent(port.port(), new PortSpec(port.name(), port.port(),
            Protocol.of(port.name(), port.appProtocol()), 0));
      }
    }
    return List.copyOf(ports.values());
  }

  private static List<String> exportTo(Service service) {
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(MeshService.EXPORT_TO_ANNOTATION);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
