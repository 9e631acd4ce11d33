package io.meshfed.control.plane.istio;

import io.meshfed.control.plane.istio.DestinationRule.Subset;
import io.meshfed.control.plane.istio.DestinationRule.TrafficPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the DestinationRule that applies to traffic for a host, as Istio does: the lookup path is the client's
 * namespace, then the service's, then the root namespace; in the first namespace with a visible rule for the host
 * (exact host over the most specific wildcard), all rules for that host merge: the oldest top-level
 * {@code trafficPolicy} wins and subsets are combined, the first definition of a subset name winning (Istio's
 * "Split large virtual services and destination rules" guidance).
 */
public final class DestinationRuleIndex {

  /** The merged view of the rules for one host in one namespace. */
  public record Merged(String host, Optional<TrafficPolicy> trafficPolicy, List<Subset> subsets,
      List<DestinationRule> sources) {

    public Merged {
      subsets = List.copyOf(subsets);
      sources = List.copyOf(sources);
    }

    public Optional<Subset> subset(String name) {
      return Subset.named(subsets, name);
    }
  }

  /**
   * The rules of one namespace for {@link #lookup}, oldest first: by exact host, and those whose host is a wildcard
   * (a lookup per service and gateway: it must not scan the namespace's rules).
   */
  private record NamespaceRules(Map<String, List<DestinationRule>> exact, List<DestinationRule> wildcard) {
  }

  private final Map<String, List<DestinationRule>> byNamespace = new LinkedHashMap<>();
  private final Map<String, NamespaceRules> forLookup = new HashMap<>();
  private final MeshSettings mesh;

  public DestinationRuleIndex(List<DestinationRule> rules, MeshSettings mesh) {
    this.mesh = mesh;
    rules.stream().sorted(Comparator.comparing(DestinationRule::meta, ResourceMeta.OLDEST_FIRST))
        .forEach(rule -> byNamespace.computeIfAbsent(rule.meta().namespace(), ns -> new ArrayList<>()).add(rule));
    byNamespace.forEach((namespace, inNamespace) -> {
      NamespaceRules index = new NamespaceRules(new HashMap<>(), new ArrayList<>());
      for (DestinationRule rule : inNamespace) {
        if (rule.fqdn().startsWith("*")) {
          index.wildcard().add(rule);
        } else {
          index.exact().computeIfAbsent(rule.fqdn(), h -> new ArrayList<>()).add(rule);
        }
      }
      forLookup.put(namespace, index);
    });
  }

  /** The rule in force for {@code fqdn} when called from {@code clientNamespace}. */
  public Optional<Merged> lookup(String fqdn, String clientNamespace) {
    Set<String> path = new LinkedHashSet<>();
    path.add(clientNamespace);
    String serviceNamespace = HostNames.serviceNamespace(fqdn, mesh.domainSuffix());
    if (!serviceNamespace.isEmpty()) {
      path.add(serviceNamespace);
    }
    path.add(mesh.rootNamespace());
    for (String namespace : path) {
      NamespaceRules rules = forLookup.get(namespace);
      if (rules == null) {
        continue;
      }
      // An exact host wins over any wildcard; among wildcards, the most specific (longest) one.
      List<DestinationRule> exact = visible(rules.exact().getOrDefault(fqdn, List.of()), namespace,
          clientNamespace, fqdn);
      if (!exact.isEmpty()) {
        return Optional.of(merge(fqdn, exact));
      }
      String best = null;
      for (DestinationRule rule : rules.wildcard()) {
        if (HostNames.matches(rule.fqdn(), fqdn) && Visibility.visible(rule.exportTo(), namespace, clientNamespace)
            && (best == null || rule.fqdn().length() > best.length())) {
          best = rule.fqdn();
        }
      }
      if (best != null) {
        return Optional.of(merge(best, visible(rules.wildcard(), namespace, clientNamespace, best)));
      }
    }
    return Optional.empty();
  }

  /** The rules for exactly {@code host} visible from {@code clientNamespace}, in their order. */
  private static List<DestinationRule> visible(List<DestinationRule> rules, String namespace,
      String clientNamespace, String host) {
    List<DestinationRule> visible = new ArrayList<>(rules.size());
    for (DestinationRule rule : rules) {
      if (rule.fqdn().equals(host) && Visibility.visible(rule.exportTo(), namespace, clientNamespace)) {
        visible.add(rule);
      }
    }
    return visible;
  }

  /** Every rule set for one host in one namespace, merged (for checks that do not depend on the client). */
  public List<Merged> all() {
    List<Merged> merged = new ArrayList<>();
    for (List<DestinationRule> rules : byNamespace.values()) {
      Map<String, List<DestinationRule>> byHost = new LinkedHashMap<>();
      rules.forEach(rule -> byHost.computeIfAbsent(rule.fqdn(), h -> new ArrayList<>()).add(rule));
      byHost.forEach((host, group) -> merged.add(merge(host, group)));
    }
    return merged;
  }

  /** MF0107 for each later rule whose top-level policy or subset loses to an older rule for the same host. */
  public List<Message> mergeConflicts() {
    List<Message> messages = new ArrayList<>();
    for (List<DestinationRule> rules : byNamespace.values()) {
      Map<String, List<DestinationRule>> byHost = new LinkedHashMap<>();
      rules.forEach(rule -> byHost.computeIfAbsent(rule.fqdn(), h -> new ArrayList<>()).add(rule));
      for (List<DestinationRule> group : byHost.values()) {
        DestinationRule policyOwner = null;
        Map<String, DestinationRule> subsetOwners = new LinkedHashMap<>();
        for (DestinationRule rule : group) {
          if (rule.trafficPolicy().isPresent()) {
            if (policyOwner == null) {
              policyOwner = rule;
            } else {
              messages.add(Message.of(MessageType.CONFLICTING_DESTINATION_RULE, rule.key(), rule.meta().origin(),
                  "spec.trafficPolicy", "ignored: " + policyOwner.key() + " (older) already sets the top-level "
                      + "traffic policy for " + rule.fqdn(),
                  "move the settings into " + policyOwner.key() + ", or into a subset"));
            }
          }
          for (int i = 0; i < rule.subsets().size(); i++) {
            Subset subset = rule.subsets().get(i);
            DestinationRule owner = subsetOwners.putIfAbsent(subset.name(), rule);
            if (owner != null && owner != rule) {
              messages.add(Message.of(MessageType.CONFLICTING_DESTINATION_RULE, rule.key(), rule.meta().origin(),
                  "spec.subsets[" + i + "]", "subset \"" + subset.name() + "\" ignored: " + owner.key()
                      + " (older) already defines it for " + rule.fqdn(),
                  "define each subset once per host; rename or remove this one"));
            }
          }
        }
      }
    }
    return messages;
  }

  private static Merged merge(String host, List<DestinationRule> rules) {
    Optional<TrafficPolicy> policy = rules.stream().map(DestinationRule::trafficPolicy).flatMap(Optional::stream)
        .findFirst();
    Map<String, Subset> subsets = new LinkedHashMap<>();
    rules.forEach(rule -> rule.subsets().forEach(subset -> subsets.putIfAbsent(subset.name(), subset)));
    return new Merged(host, policy, new ArrayList<>(subsets.values()), rules);
  }
}
