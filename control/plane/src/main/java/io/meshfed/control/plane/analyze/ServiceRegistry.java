package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Service;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.HostNames;
import io.meshfed.control.plane.istio.Selectors;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.istio.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The hosts a snapshot defines (Kubernetes Services and ServiceEntry hosts) and the workloads behind them. */
final class ServiceRegistry {

  private final Map<String, Service> services = new HashMap<>();
  private final List<String> entryHosts = new ArrayList<>();
  private final List<Workload> workloads;
  private final Set<String> exported;

  ServiceRegistry(ConfigSnapshot snapshot, Set<String> meshExportedHosts) {
    String suffix = snapshot.mesh().domainSuffix();
    for (Service service : snapshot.services()) {
      services.put(fqdn(service, suffix), service);
    }
    for (ServiceEntry entry : snapshot.serviceEntries()) {
      for (String host : entry.hosts()) {
        entryHosts.add(HostNames.resolve(host, entry.meta().namespace(), suffix));
      }
    }
    this.workloads = snapshot.workloads();
    this.exported = meshExportedHosts;
  }

  static String fqdn(Service service, String suffix) {
    return service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc." + suffix;
  }

  /** Whether a Service, a ServiceEntry (wildcards included) or another cluster's export defines the host. */
  boolean knows(String fqdn) {
    return services.containsKey(fqdn) || exported.contains(fqdn)
        || entryHosts.stream().anyMatch(host -> HostNames.matches(host, fqdn));
  }

  Optional<Service> service(String fqdn) {
    return Optional.ofNullable(services.get(fqdn));
  }

  /** The workloads a Service selects; empty if it has no selector or none is known. */
  List<Workload> workloadsOf(Service service) {
    Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      return List.of();
    }
    String namespace = service.getMetadata().getNamespace();
    return workloads.stream().filter(w -> w.namespace().equals(namespace) && Selectors.matches(selector, w.labels()))
        .toList();
  }
}
