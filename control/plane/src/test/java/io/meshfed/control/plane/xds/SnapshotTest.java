package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
