package io.meshfed.control.plane.translate;

import com.google.protobuf.Message;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.xds.Snapshot;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the translator keeps per group between translations: the snapshot, the protos it was built from (so the next
 * snapshot re-packs only resources that are different objects and not equal), the load assignments by service (an
 * endpoint change rebuilds only those), and the problems met building them.
 */
final class GroupState {

  Snapshot snapshot;
  final Map<XdsResourceType, Map<String, Message>> resources = new EnumMap<>(XdsResourceType.class);
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

  /**
   * The next snapshot for {@code next}: derived from the current one, re-packing only resources that changed.
   *
   * @return the number of resources added, changed or removed
   */
  int apply(Map<XdsResourceType, Map<String, Message>> next) {
    if (snapshot == null) {
      Snapshot.Builder builder = Snapshot.builder();
      int count = 0;
      for (Map.Entry<XdsResourceType, Map<String, Message>> type : next.entrySet()) {
        builder.addAll(type.getKey(), type.getValue().values());
        count += type.getValue().size();
        resources.get(type.getKey()).putAll(type.getValue());
      }
      snapshot = builder.build();
      return count;
    }
    Snapshot.Builder builder = null;
    int changed = 0;
    for (XdsResourceType type : XdsResourceType.values()) {
      Map<String, Message> current = resources.get(type);
      Map<String, Message> wanted = next.getOrDefault(type, Map.of());
      List<Message> replaced = new ArrayList<>();
      for (Map.Entry<String, Message> e : wanted.entrySet()) {
        Message old = current.get(e.getKey());
        if (old == e.getValue() || old != null && old.equals(e.getValue())) {
          continue;
        }
        replaced.add(e.getValue());
        current.put(e.getKey(), e.getValue());
      }
      if (!replaced.isEmpty()) {
        if (builder == null) {
          builder = snapshot.toBuilder();
        }
        builder.putAll(type, replaced);
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
  int put(XdsResourceType type, List<Message> messages) {
    Map<String, Message> current = resources.get(type);
    List<Message> replaced = new ArrayList<>();
    for (Message message : messages) {
      String name = type.nameOf(message);
      Message old = current.get(name);
      if (old == message || old != null && old.equals(message)) {
        continue;
      }
      replaced.add(message);
      current.put(name, message);
    }
    if (!replaced.isEmpty()) {
      snapshot = snapshot.toBuilder().putAll(type, replaced).build();
    }
    return replaced.size();
  }
}
