package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResourceMapTest {

    private static VersionedResource resource(String name, String version) {
        return new VersionedResource(name, version, Any.getDefaultInstance());
    }

    private static String name(int i) {
        return String.format("outbound|8080||svc-%05d.ns.svc.cluster.local", i);
    }

    private static TreeMap<String, VersionedResource> model(int n) {
        TreeMap<String, VersionedResource> model = new TreeMap<>();
        for (int i = 0; i < n; i += 2) { // even names only: odd ones are free for insertions
            model.put(name(i), resource(name(i), "v0"));
        }
        return model;
    }

    /** Everything a reader sees of the map equals what a TreeMap of the same resources shows. */
    private static void assertSame(ResourceMap map, TreeMap<String, VersionedResource> model) {
        assertThat(map).hasSize(model.size()).isEqualTo(model);
        assertThat(map.isEmpty()).isEqualTo(model.isEmpty());
        assertThat(new ArrayList<>(map.keySet())).isEqualTo(new ArrayList<>(model.keySet()));
        assertThat(new ArrayList<>(map.values())).isEqualTo(new ArrayList<>(model.values()));
        assertThat(new ArrayList<>(map.entrySet())).isEqualTo(new ArrayList<>(model.entrySet()));
        for (int i = -1; i <= 2 * model.size() + 2; i++) {
            assertThat(map.get(name(i))).isEqualTo(model.get(name(i)));
            assertThat(map.keySet().contains(name(i))).isEqualTo(model.containsKey(name(i)));
        }
        if (!model.isEmpty()) {
            assertThat(map.firstKey()).isEqualTo(model.firstKey());
            assertThat(map.lastKey()).isEqualTo(model.lastKey());
        }
    }

    @Test
    void readsAsTheSortedMapItWasBuiltFrom() {
        for (int n : new int[] {0, 1, 2, 2 * ResourceMap.CHUNK, 2 * ResourceMap.CHUNK + 2, 1000}) {
            TreeMap<String, VersionedResource> model = model(n);
            assertSame(ResourceMap.of(model), model);
        }
        assertThat(ResourceMap.EMPTY.get("a")).isNull();
        assertThat(ResourceMap.EMPTY.get(42)).isNull();
        assertThatThrownBy(ResourceMap.EMPTY::firstKey).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void editsGiveTheSameMapAsEditingACopyWhileUntouchedChunksAreShared() {
        Random random = new Random(7);
        TreeMap<String, VersionedResource> model = model(2000);
        ResourceMap map = ResourceMap.of(model);
        for (int round = 0; round < 120; round++) {
            // A few edits per round (adds, replacements, removals, names before the first and after the last), and
            // now and then a burst into one region: of additions, so chunks grow past twice their size and split, or
            // of removals, so chunks empty or shrink and are dropped or merged.
            TreeMap<String, VersionedResource> edits = new TreeMap<>();
            boolean burst = round % 25 == 0;
            boolean removals = round % 25 == 12;
            int count = burst || removals ? 3 * ResourceMap.CHUNK : 1 + random.nextInt(4);
            int region = random.nextInt(2000);
            for (int e = 0; e < count; e++) {
                int i = burst || removals ? region + e : random.nextInt(2004) - 2;
                boolean remove = removals || !burst && random.nextInt(3) == 0;
                edits.put(name(i), remove ? null : resource(name(i), "v" + (round + 1)));
            }
            ResourceMap next = map.with(edits);
            TreeMap<String, VersionedResource> before = new TreeMap<>(model);
            edits.forEach((k, v) -> {
                if (v == null) {
                    model.remove(k);
                } else {
                    model.put(k, v);
                }
            });
            assertSame(next, model);

            Set<String> changed = new HashSet<>();
            ResourceMap.changedNames(map, next, changed);
            Set<String> expected = new HashSet<>();
            edits.forEach((k, v) -> {
                if (before.containsKey(k) || v != null) {
                    expected.add(k);
                }
            });
            assertThat(changed).isEqualTo(expected);
            map = next;
        }
        assertThat(map.with(new TreeMap<>())).isSameAs(map);
    }

    @Test
    void changedNamesComparesMapsBuiltApartByVersion() {
        TreeMap<String, VersionedResource> a = model(300);
        TreeMap<String, VersionedResource> b = new TreeMap<>(a);
        b.put(name(10), resource(name(10), "v1")); // another version
        b.put(name(11), resource(name(11), "v0")); // added
        b.remove(name(200)); // removed
        b.put(name(20), resource(name(20), "v0")); // a new instance, the same version: unchanged
        List<String> changed = new ArrayList<>();

        ResourceMap.changedNames(ResourceMap.of(a), ResourceMap.of(b), changed);

        assertThat(changed).containsExactly(name(10), name(11), name(200));
    }

    @Test
    void isReadOnly() {
        ResourceMap map = ResourceMap.of(model(10));
        assertThatThrownBy(() -> map.put("x", resource("x", "v"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.values().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
        SortedMap<String, VersionedResource> head = map.headMap(name(4));
        assertThat(head.keySet()).containsExactly(name(0), name(2));
        assertThatThrownBy(() -> head.remove(name(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(map.tailMap(name(7)).keySet()).containsExactly(name(8));
        assertThat(map.subMap(name(2), name(6)).keySet()).containsExactly(name(2), name(4));
        assertThat(map.comparator()).isNull();
        assertThat(Map.copyOf(map)).isEqualTo(map);
    }
}
