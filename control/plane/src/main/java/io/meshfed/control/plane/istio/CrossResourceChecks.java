package io.meshfed.control.plane.istio;

import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks across objects the control plane applies before publishing a snapshot (and {@code meshfed analyze}
 * reports): conflicting mesh VirtualServices, DestinationRule merge conflicts, subsets that select no pods.
 */
public final class CrossResourceChecks {

  /** VirtualServices shadowed for mesh traffic, and the messages saying so. */
  public record VirtualServiceConflicts(Set<ResourceKey> shadowed, List<Message> messages) {

    public VirtualServiceConflicts {
      shadowed = Set.copyOf(shadowed);
      messages = List.copyOf(messages);
    }
  }

  private CrossResourceChecks() {
  }

  /**
   * Istio merges VirtualServices for one host only when they are bound to gateways; for the mesh, the oldest one
   * for a host wins and later ones are ignored (Istio's ConflictingMeshGatewayVirtualServiceHosts). Returns the
   * losers (not used for mesh traffic; they still apply to the gateways they name).
   */
  public static VirtualServiceConflicts virtualServices(List<VirtualService> services) {
    List<VirtualService> mesh = services.stream().filter(VirtualService::appliesToMesh)
        .sorted(Comparator.comparing(VirtualService::meta, ResourceMeta.OLDEST_FIRST)).toList();
    Map<String, List<VirtualService>> owners = new LinkedHashMap<>();
    Set<ResourceKey> shadowed = new HashSet<>();
    List<Message> messages = new ArrayList<>();
    for (VirtualService vs : mesh) {
      for (int i = 0; i < vs.fqdnHosts().size(); i++) {
        String host = vs.fqdnHosts().get(i);
        List<VirtualService> claimed = owners.computeIfAbsent(host, h -> new ArrayList<>());
        Optional<VirtualService> winner = claimed.stream()
            .filter(o -> Visibility.overlap(o.exportTo(), o.meta().namespace(), vs.exportTo(), vs.meta().namespace()))
            .findFirst();
        if (winner.isPresent()) {
          shadowed.add(vs.key());
          messages.add(Message.of(MessageType.CONFLICTING_VIRTUAL_SERVICE, vs.key(), vs.meta().origin(),
              "spec.hosts[" + i + "]", host + " is already routed for the mesh by " + winner.get().key()
                  + " (older); this VirtualService is not used for mesh traffic",
              "merge the routes into " + winner.get().key() + " (Istio merges VirtualServices for one host only "
                  + "on gateways)"));
        } else {
          claimed.add(vs);
        }
      }
    }
    return new VirtualServiceConflicts(shadowed, messages);
  }

  /**
   * MF0104 for each DestinationRule subset that matches none of its service's workloads. Runs only when the config
   * knows some workloads in the service's namespace (pods, or pod templates in files), so config without
   * workloads is not flagged; a service scaled to zero is.
   */
  public static List<Message> subsetsSelectingNoPods(List<DestinationRule> rules, List<Service> services,
      List<ServiceEntry> serviceEntries, List<Workload> workloads, MeshSettings mesh) {
    List<Message> messages = new ArrayList<>();
    Map<String, Service> servicesByKey = new LinkedHashMap<>();
    services.forEach(s -> servicesByKey.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s));
    Set<String> namespacesWithWorkloads = new HashSet<>();
    workloads.forEach(w -> namespacesWithWorkloads.add(w.namespace()));
    for (DestinationRule rule : rules) {
      String namespace = HostNames.serviceNamespace(rule.fqdn(), mesh.domainSuffix());
      String name = HostNames.serviceName(rule.fqdn(), mesh.domainSuffix());
      Service service = servicesByKey.get(namespace + "/" + name);
      Map<String, String> selector = service == null || service.getSpec() == null ? null
          : service.getSpec().getSelector();
      for (int i = 0; i < rule.subsets().size(); i++) {
        DestinationRule.Subset subset = rule.subsets().get(i);
        int index = i;
        if (selector != null && !selector.isEmpty() && namespacesWithWorkloads.contains(namespace)) {
          Map<String, String> combined = new LinkedHashMap<>(selector);
          combined.putAll(subset.labels());
          boolean any = workloads.stream()
              .anyMatch(w -> w.namespace().equals(namespace) && Selectors.matches(combined, w.labels()));
          if (!any) {
            messages.add(noPods(rule, i, subset, "pods of Service " + namespace + "/" + name, combined));
          }
          continue;
        }
        serviceEntries.stream().filter(se -> !se.endpoints().isEmpty())
            .filter(se -> se.hosts().stream().anyMatch(h -> HostNames.resolve(h, se.meta().namespace(),
                mesh.domainSuffix()).equals(rule.fqdn())))
            .findFirst()
            .filter(se -> se.endpoints().stream().noneMatch(e -> Selectors.matches(subset.labels(), e.labels())))
            .ifPresent(se -> messages.add(noPods(rule, index, subset, "endpoints of ServiceEntry "
                + se.meta().key().qualifiedName(), subset.labels())));
      }
    }
    return messages;
  }

  private static Message noPods(DestinationRule rule, int index, DestinationRule.Subset subset, String what,
      Map<String, String> labels) {
    return Message.of(MessageType.SUBSET_SELECTS_NO_PODS, rule.key(), rule.meta().origin(),
        "spec.subsets[" + index + "].labels", "subset \"" + subset.name() + "\" selects none of the " + what
            + " (labels " + labels + "); traffic routed to it fails with 503 (no healthy upstream)",
        "fix the subset labels to match a version that is deployed, or deploy it before routing to it");
  }
}
