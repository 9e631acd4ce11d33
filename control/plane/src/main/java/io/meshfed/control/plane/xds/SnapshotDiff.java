package io.meshfed.control.plane.xds;

import io.meshfed.control.client.xds.XdsResourceType;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The resource names that differ between two snapshots of a group (added, changed or removed), per type. Computed
 * once per group per push so each stream only looks at what changed, not at every resource it has.
 */
final class SnapshotDiff {
    private final Map<XdsResourceType, Set<String>> changed;

    private SnapshotDiff(Map<XdsResourceType, Set<String>> changed) {
        this.changed = changed;
    }

    static SnapshotDiff between(Snapshot before, Snapshot after) {
        Map<XdsResourceType, Set<String>> changed = new EnumMap<>(XdsResourceType.class);
        for (XdsResourceType type : XdsResourceType.values()) {
            Set<String> names = new HashSet<>();
            if (before == null) {
                names.addAll(after.resources(type).keySet());
            } else if (!before.version(type).equals(after.version(type))) {
                // Side by side in name order, skipping the chunks a derived snapshot shares with the one before.
                ResourceMap.changedNames(before.resourceMap(type), after.resourceMap(type), names);
                if (names.isEmpty()) {
                    // Same resources under a new explicit version: state-of-the-world clients still see it.
                    names.addAll(after.resources(type).keySet());
                }
            }
            changed.put(type, names);
        }
        return new SnapshotDiff(changed);
    }

    Set<String> changed(XdsResourceType type) {
        return changed.get(type);
    }

    boolean typeChanged(XdsResourceType type) {
        return !changed.get(type).isEmpty();
    }

    boolean isEmpty() {
        return changed.values().stream().allMatch(Set::isEmpty);
    }
}
