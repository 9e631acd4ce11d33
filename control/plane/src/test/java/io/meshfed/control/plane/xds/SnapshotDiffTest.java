package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SnapshotDiffTest {

    private final Snapshot before = Snapshot.builder().add(CLUSTER, edsCluster("a"))
            .add(ENDPOINT, endpoints("a", 80, "127.0.1.1")).add(ENDPOINT, endpoints("b", 80, "127.0.1.2"))
            .add(ENDPOINT, endpoints("d", 80, "127.0.1.4")).build();

    @Test
    void namesAddedChangedAndRemovedOfChangedTypesOnly() {
        Snapshot after = before.toBuilder().put(ENDPOINT, endpoints("b", 80, "127.0.1.3"))
                .add(ENDPOINT, endpoints("c", 80, "127.0.1.3")).remove(ENDPOINT, "d")
                .add(ENDPOINT, endpoints("e", 80, "127.0.1.5")).build();

        SnapshotDiff diff = SnapshotDiff.between(before, after);

        assertThat(diff.changed(ENDPOINT)).containsExactlyInAnyOrder("b", "c", "d", "e");
        assertThat(diff.typeChanged(CLUSTER)).isFalse();
    }

    @Test
    void snapshotsBuiltApartCompareByVersion() {
        // Not derived from each other: no resource instance is shared, the versions decide.
        Snapshot rebuilt = Snapshot.builder().add(CLUSTER, edsCluster("a"))
                .add(ENDPOINT, endpoints("a", 80, "127.0.1.1")).add(ENDPOINT, endpoints("b", 80, "127.0.1.9"))
                .add(ENDPOINT, endpoints("d", 80, "127.0.1.4")).build();

        assertThat(SnapshotDiff.between(before, rebuilt).changed(ENDPOINT)).containsExactly("b");
        assertThat(SnapshotDiff.between(null, rebuilt).changed(ENDPOINT)).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(SnapshotDiff.between(before, before).isEmpty()).isTrue();
    }
}
