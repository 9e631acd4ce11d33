package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    @Test
    void sameContentGivesSameVersionsAcrossBuilds() {
        Snapshot a = Snapshot.builder().add(CLUSTER, edsCluster("x")).add(ENDPOINT, endpoints("x", 80, "127.0.1.1"))
                .build();
        Snapshot b = Snapshot.builder().add(ENDPOINT, endpoints("x", 80, "127.0.1.1")).add(CLUSTER, edsCluster("x"))
                .build();

        assertThat(b.version(CLUSTER)).isEqualTo(a.version(CLUSTER));
        assertThat(b.resources(ENDPOINT).get("x").version()).isEqualTo(a.resources(ENDPOINT).get("x").version());
    }

    @Test
    void derivedSnapshotChangesOnlyTheReplacedResourceVersion() {
        Snapshot a = Snapshot.builder().add(CLUSTER, edsCluster("x")).add(CLUSTER, edsCluster("y"))
                .add(ENDPOINT, endpoints("x", 80, "127.0.1.1")).add(ENDPOINT, endpoints("y", 80, "127.0.1.2")).build();

        Snapshot b = a.toBuilder().put(ENDPOINT, endpoints("y", 80, "127.0.1.9")).remove(CLUSTER, "x").build();

        assertThat(b.resources(ENDPOINT).get("x").version()).isEqualTo(a.resources(ENDPOINT).get("x").version());
        assertThat(b.resources(ENDPOINT).get("y").version()).isNotEqualTo(a.resources(ENDPOINT).get("y").version());
        assertThat(b.resources(CLUSTER)).containsOnlyKeys("y");
        assertThat(b.version(ENDPOINT)).isNotEqualTo(a.version(ENDPOINT));
    }

    @Test
    void addAllGivesWhatAddingOneByOneGives() {
        List<Message> many = new ArrayList<>();
        Snapshot.Builder oneByOne = Snapshot.builder();
        for (int i = 0; i < 1_000; i++) {
            many.add(endpoints("c" + i, 80, "127.0.1." + (i % 250)));
            oneByOne.add(ENDPOINT, many.get(i));
        }
        Collections.shuffle(many, new Random(1));

        Snapshot batch = Snapshot.builder().addAll(ENDPOINT, many).build();
        Snapshot expected = oneByOne.build();

        assertThat(batch.version(ENDPOINT)).isEqualTo(expected.version(ENDPOINT));
        assertThat(batch.resources(ENDPOINT)).isEqualTo(expected.resources(ENDPOINT));
    }

    @Test
    void addAllReportsTheFirstDuplicateAndPutAllReplaces() {
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(endpoints("c" + i, 80, "127.0.1.1"));
        }
        many.add(endpoints("c42", 80, "127.0.1.2"));

        assertThatThrownBy(() -> Snapshot.builder().addAll(ENDPOINT, many))
                .hasMessage("EDS resource name: c42 (expected: unique within a snapshot; it was added twice)");
        Snapshot replaced = Snapshot.builder().putAll(ENDPOINT, many).build();
        assertThat(replaced.resources(ENDPOINT)).hasSize(600);
        assertThat(replaced.resources(ENDPOINT).get("c42").version())
                .isEqualTo(Snapshot.builder().add(ENDPOINT, endpoints("c42", 80, "127.0.1.2")).build()
                        .resources(ENDPOINT).get("c42").version());
    }

    @Test
    void aLargeBatchReportsItsFirstBadResourceInListOrderAndAddsNothing() {
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(endpoints("c" + i, 80, "127.0.1.1"));
        }
        many.set(300, edsCluster("a-cluster-among-endpoints"));
        many.set(1_900, endpoints("", 80, "127.0.1.1"));
        Snapshot.Builder builder = Snapshot.builder();

        assertThatThrownBy(() -> builder.addAll(ENDPOINT, many))
                .hasMessageStartingWith("resource: type.googleapis.com/envoy.config.cluster.v3.Cluster (expected: ");
        assertThat(builder.build().resources(ENDPOINT)).isEmpty();
    }

    @Test
    void aBuilderUsedAfterBuildLeavesTheBuiltSnapshotAlone() {
        Snapshot.Builder builder = Snapshot.builder().add(CLUSTER, edsCluster("x"));
        Snapshot first = builder.build();
        String version = first.version(CLUSTER);

        Snapshot second = builder.add(CLUSTER, edsCluster("y")).remove(CLUSTER, "x").build();

        assertThat(first.resources(CLUSTER)).containsOnlyKeys("x");
        assertThat(first.version(CLUSTER)).isEqualTo(version);
        assertThat(second.resources(CLUSTER)).containsOnlyKeys("y");
        assertThat(first.toBuilder().build().version(CLUSTER)).isEqualTo(version);
    }

    @Test
    void typeVersionDependsOnContentAloneHoweverTheSnapshotWasReached() {
        Snapshot fresh = Snapshot.builder().add(CLUSTER, edsCluster("a")).add(CLUSTER, edsCluster("caf\u00e9"))
                .add(CLUSTER, edsCluster("x".repeat(600))).build();
        Snapshot otherOrder = Snapshot.builder().add(CLUSTER, edsCluster("x".repeat(600)))
                .add(CLUSTER, edsCluster("a")).add(CLUSTER, edsCluster("caf\u00e9")).build();
        // Derived one change at a time: through an extra resource, a replaced one and a removal.
        Snapshot derived = Snapshot.builder().add(CLUSTER, edsCluster("a")).build().toBuilder()
                .add(CLUSTER, edsCluster("b")).add(CLUSTER, edsCluster("caf\u00e9")).build().toBuilder()
                .put(CLUSTER, edsCluster("a")).remove(CLUSTER, "b").add(CLUSTER, edsCluster("x".repeat(600)))
                .build();

        assertThat(otherOrder.version(CLUSTER)).isEqualTo(fresh.version(CLUSTER)).matches("[0-9a-f]{16}");
        assertThat(derived.version(CLUSTER)).isEqualTo(fresh.version(CLUSTER));
    }

    @Test
    void typeVersionChangesWithAnyNameOrResourceVersion() {
        Snapshot base = Snapshot.builder().add(ENDPOINT, endpoints("a", 80, "127.0.1.1"))
                .add(ENDPOINT, endpoints("b", 80, "127.0.1.2")).build();
        Snapshot changed = base.toBuilder().put(ENDPOINT, endpoints("a", 80, "127.0.1.3")).build();
        // The same two contents under swapped names.
        Snapshot swapped = Snapshot.builder().add(ENDPOINT, endpoints("a", 80, "127.0.1.2"))
                .add(ENDPOINT, endpoints("b", 80, "127.0.1.1")).build();
        Snapshot renamed = Snapshot.builder().add(ENDPOINT, endpoints("a", 80, "127.0.1.1"))
                .add(ENDPOINT, endpoints("c", 80, "127.0.1.2")).build();
        Snapshot changedBack = changed.toBuilder().put(ENDPOINT, endpoints("a", 80, "127.0.1.1")).build();

        assertThat(List.of(changed, swapped, renamed)).extracting(s -> s.version(ENDPOINT))
                .doesNotContain(base.version(ENDPOINT)).doesNotHaveDuplicates();
        assertThat(changedBack.version(ENDPOINT)).isEqualTo(base.version(ENDPOINT));
        assertThat(base.toBuilder().remove(ENDPOINT, "a").remove(ENDPOINT, "b").build().version(ENDPOINT))
                .isEqualTo("empty");
    }

    @Test
    void packedResourcesByNameGiveWhatAddAllGivesAndAWrongTypeIsRefused() {
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(endpoints("c" + i, 80, "127.0.1." + (i % 250)));
        }
        SortedMap<String, VersionedResource> byName = new TreeMap<>();
        Snapshot.Builder.packAll(ENDPOINT, many).forEach(r -> byName.put(r.name(), r));

        Snapshot packed = Snapshot.builder().putAllPacked(ENDPOINT, byName).build();
        Snapshot expected = Snapshot.builder().addAll(ENDPOINT, many).build();
        assertThat(packed.version(ENDPOINT)).isEqualTo(expected.version(ENDPOINT));
        assertThat(packed.resources(ENDPOINT)).isEqualTo(expected.resources(ENDPOINT));

        SortedMap<String, VersionedResource> wrong = new TreeMap<>(byName);
        VersionedResource cluster = Snapshot.Builder.packAll(CLUSTER, List.of(edsCluster("c5"))).get(0);
        wrong.put(cluster.name(), cluster);
        assertThatThrownBy(() -> Snapshot.builder().putAllPacked(ENDPOINT, wrong))
                .hasMessage("resource c5: type.googleapis.com/envoy.config.cluster.v3.Cluster (expected: "
                        + "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment for EDS)");
    }

    @Test
    void badResourcesAreRejectedNamingTheProblem() {
        assertThatThrownBy(() -> Snapshot.builder().add(CLUSTER, endpoints("x", 80, "127.0.1.1")))
                .hasMessage("resource: type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment "
                        + "(expected: type.googleapis.com/envoy.config.cluster.v3.Cluster for CDS)");
        assertThatThrownBy(() -> Snapshot.builder().add(CLUSTER, edsCluster("x")).add(CLUSTER, edsCluster("x")))
                .hasMessage("CDS resource name: x (expected: unique within a snapshot; it was added twice)");
        assertThatThrownBy(() -> Snapshot.builder().add(CLUSTER, edsCluster("")))
                .hasMessageStartingWith("CDS resource name: (empty)");
    }
}
