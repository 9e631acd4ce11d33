package io.meshfed.control.plane.translate;

import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the translator keeps per group between translations: the snapshot, the packed resources it was built from
 * (so the next snapshot takes in only resources that are different objects and different bytes), the load
 * assignments by service (an endpoint change rebuilds only those), and the problems met building them.
 *
 * <p>Resources are kept packed (serialised, with their versions), one form of each: the messages they were
 * serialised from are not kept.
 */
final class GroupState {

  Snapshot snapshot;
  final Map<XdsResourceType, Map<String, VersionedResource>> resources = new EnumMap<>(XdsResourceType.class);
  final Map<String, List<EdsRef>> endpointsByService = new HashMap<>();
  final Map<String, List<TranslationProblem>> endpointProblems = new TreeMap<>();

  GroupState() {
    for (XdsResourceType type : XdsResourceType.values()) {
      resources.put(type, new TreeMap<>());
    }
  }

  void index(EdsRef ref) {
    endpointsByService.computeIfAbsent(ref.service().fqdn(), f -> new ArrayList<>()).add(ref);
  }

  int size() {
    return resources.values().stream().mapToInt(Map::size).sum();
  }

  /** The same resource: the same packed instance, or the same version and bytes. */
  private static boolean same(VersionedResource a, VersionedResource b) {
    return a == b || a != null && a.version().equals(b.version()) && a.resource().equals(b.resource());
  }

  /**
   * The next snapshot for {@code next}: derived from the current one, taking in only resources that changed.
   *
   * @return the number of resources added, changed or removed
   */
  int apply(Map<XdsResourceType, Map<String, VersionedResource>> next) {
    if (snapshot == null) {
      Snapshot.Builder builder = Snapshot.builder();
      int count = 0;
      for (Map.Entry<XdsResourceType, Map<String, VersionedResource>> type : next.entrySet()) {
        builder.putAllPacked(type.getKey(), type.getValue().values());
        count += type.getValue().size();
        resources.get(type.getKey()).putAll(type.getValue());
      }
      snapshot = builder.build();
      return count;
    }
    Snapshot.Builder builder = null;
    int changed = 0;
    for (XdsResourceType type : XdsResourceType.values()) {
      Map<String, VersionedResource> current = resources.get(type);
      Map<String, VersionedResource> wanted = next.getOrDefault(type, Map.of());
      List<VersionedResource> replaced = new ArrayList<>();
      for (Map.Entry<String, VersionedResource> e : wanted.entrySet()) {
        if (same(current.get(e.getKey()), e.getValue())) {
          continue;
        }
        replaced.add(e.getValue());
        current.put(e.getKey(), e.getValue());
      }
      if (!replaced.isEmpty()) {
        if (builder == null) {
          builder = snapshot.toBuilder();
        }
        builder.putAllPacked(type, replaced);
        changed += replaced.size();
      }
      if (current.size() > wanted.size() || !wanted.keySet().containsAll(current.keySet())) {
        for (String name : new ArrayList<>(current.keySet())) {
          if (!wanted.containsKey(name)) {
            if (builder == null) {
              builder = snapshot.toBuilder();
            }
            builder.remove(type, name);
            current.remove(name);
            changed++;
          }
        }
      }
    }
    if (builder != null) {
      snapshot = builder.build();
    }
    return changed;
  }

  /** Replaces single resources (the incremental path); returns how many differed. */
  int put(XdsResourceType type, List<VersionedResource> packed) {
    Map<String, VersionedResource> current = resources.get(type);
    List<VersionedResource> replaced = new ArrayList<>();
    for (VersionedResource resource : packed) {
      if (same(current.get(resource.name()), resource)) {
        continue;
      }
      replaced.add(resource);
      current.put(resource.name(), resource);
    }
    if (!replaced.isEmpty()) {
      snapshot = snapshot.toBuilder().putAllPacked(type, replaced).build();
    }
    return replaced.size();
  }
}
