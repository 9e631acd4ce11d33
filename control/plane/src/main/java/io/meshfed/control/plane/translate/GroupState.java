package io.meshfed.control.plane.translate;

import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.TypedAny;
import io.meshfed.control.plane.xds.VersionedResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the translator keeps per group between translations: the snapshot (the next one takes in only resources that
 * are different objects and different bytes), the load assignments by service (an endpoint change rebuilds only
 * those), and the problems met building them (load assignments without any are not listed).
 *
 * <p>Resources are kept packed (serialised, with their versions), one form of each, in the snapshot only: the
 * messages they were serialised from are not kept.
 */
final class GroupState {

  Snapshot snapshot;
  final Map<String, List<EdsRef>> endpointsByService = new HashMap<>();
  private final Map<String, List<TranslationProblem>> endpointProblems = new TreeMap<>();

  void index(EdsRef ref) {
    endpointsByService.computeIfAbsent(ref.service().fqdn(), f -> new ArrayList<>()).add(ref);
  }

  int size() {
    int size = 0;
    for (XdsResourceType type : XdsResourceType.values()) {
      size += snapshot == null ? 0 : snapshot.resources(type).size();
    }
    return size;
  }

  /** Records the problems met building a load assignment (none: forgets earlier ones). */
  void endpointProblems(String name, List<TranslationProblem> problems) {
    if (problems.isEmpty()) {
      endpointProblems.remove(name);
    } else {
      endpointProblems.put(name, problems);
    }
  }

  /** The problems met building the group's load assignments, by load assignment name. */
  Collection<List<TranslationProblem>> endpointProblems() {
    return endpointProblems.values();
  }

  /**
   * The same resource: the same packed instance, or the same version and bytes. Compared through the Any's bytes:
   * {@code Any.equals} reads the type URL as a String and keeps it in the Any ({@link TypedAny}).
   */
  private static boolean same(VersionedResource a, VersionedResource b) {
    return a == b || a != null && a.version().equals(b.version())
        && a.resource().getTypeUrlBytes().equals(b.resource().getTypeUrlBytes())
        && a.resource().getValue().equals(b.resource().getValue());
  }

  /**
   * The next snapshot for {@code next}: derived from the current one, taking in only resources that changed.
   *
   * @return the number of resources added, changed or removed
   */
  int apply(Map<XdsResourceType, SortedMap<String, VersionedResource>> next) {
    if (snapshot == null) {
      Snapshot.Builder builder = Snapshot.builder();
      int count = 0;
      for (Map.Entry<XdsResourceType, SortedMap<String, VersionedResource>> type : next.entrySet()) {
        builder.putAllPacked(type.getKey(), type.getValue());
        count += type.getValue().size();
      }
      snapshot = builder.build();
      return count;
    }
    Snapshot.Builder builder = null;
    int changed = 0;
    for (XdsResourceType type : XdsResourceType.values()) {
      Map<String, VersionedResource> current = snapshot.resources(type);
      Map<String, VersionedResource> wanted = next.getOrDefault(type, Collections.emptySortedMap());
      List<VersionedResource> replaced = new ArrayList<>();
      int kept = 0;
      for (Map.Entry<String, VersionedResource> e : wanted.entrySet()) {
        VersionedResource old = current.get(e.getKey());
        if (old != null) {
          kept++;
        }
        if (!same(old, e.getValue())) {
          replaced.add(e.getValue());
        }
      }
      List<String> removed = new ArrayList<>();
      if (kept < current.size()) {
        for (String name : current.keySet()) {
          if (!wanted.containsKey(name)) {
            removed.add(name);
          }
        }
      }
      if (!replaced.isEmpty() || !removed.isEmpty()) {
        if (builder == null) {
          builder = snapshot.toBuilder();
        }
        builder.putAllPacked(type, replaced);
        for (String name : removed) {
          builder.remove(type, name);
        }
        changed += replaced.size() + removed.size();
      }
    }
    if (builder != null) {
      snapshot = builder.build();
    }
    return changed;
  }

  /** Replaces single resources (the incremental path); returns how many differed. */
  int put(XdsResourceType type, List<VersionedResource> packed) {
    Map<String, VersionedResource> current = snapshot.resources(type);
    Map<String, VersionedResource> replaced = new LinkedHashMap<>();
    for (VersionedResource resource : packed) {
      if (same(replaced.getOrDefault(resource.name(), current.get(resource.name())), resource)) {
        continue;
      }
      replaced.put(resource.name(), resource);
    }
    if (!replaced.isEmpty()) {
      snapshot = snapshot.toBuilder().putAllPacked(type, replaced.values()).build();
    }
    return replaced.size();
  }
}
