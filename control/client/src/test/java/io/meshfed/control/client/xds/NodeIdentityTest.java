package io.meshfed.control.client.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {

    private static NodeIdentity gateway() {
        return NodeIdentity.builder().ip("10.1.2.3").podName("eastwest-7f9c").namespace("istio-system")
                .clusterId("east").network("net-east").role(GatewayRole.EASTWEST).meshId("mesh1").build();
    }

    @Test
    void builderProducesTheIstioStyleNodeIdAndMetadata() {
        Node node = gateway().toNode();

        assertThat(node.getId()).isEqualTo("router~10.1.2.3~eastwest-7f9c.istio-system~istio-system.svc.cluster.local");
        assertThat(node.getCluster()).isEqualTo("eastwest-7f9c.istio-system");
        assertThat(node.getMetadata().getFieldsMap()).containsEntry("CLUSTER_ID", str("east"))
                .containsEntry("NETWORK", str("net-east")).containsEntry("ROLE", str("eastwest"))
                .containsEntry("MESH_ID", str("mesh1"));
    }

    @Test
    void nodeRoundTripsThroughParsing() {
        assertThat(NodeIdentity.of(gateway().toNode())).isEqualTo(gateway());
    }

    @Test
    void nodeIdThatIsNotIstioStyleIsRejectedNamingTheField() {
        Node node = Node.newBuilder().setId("envoy-1").build();

        assertThatThrownBy(() -> NodeIdentity.of(node)).isInstanceOf(InvalidNodeException.class)
                .hasMessage("id: envoy-1 (expected: <router|sidecar>~<ip>~<pod>.<namespace>~<namespace>"
                        + ".svc.cluster.local)")
                .satisfies(e -> assertThat(((InvalidNodeException) e).field()).isEqualTo("id"));
    }

    @Test
    void missingClusterIdAndUnknownRoleAreRejected() {
        Node noCluster = gateway().toNode().toBuilder().setMetadata(Struct.getDefaultInstance()).build();
        assertThatThrownBy(() -> NodeIdentity.of(noCluster)).hasMessageStartingWith("metadata.CLUSTER_ID: (empty)");

        Node badRole = gateway().toNode().toBuilder().setMetadata(gateway().toNode().getMetadata().toBuilder()
                .putFields("ROLE", str("sidecar-ish"))).build();
        assertThatThrownBy(() -> NodeIdentity.of(badRole))
                .hasMessage("metadata.ROLE: sidecar-ish (expected: eastwest|ingress|egress)");
    }

    @Test
    void nodeWithoutRoleIsAnotherXdsClient() {
        Node proxyless = Node.newBuilder().setId("sidecar~10.0.0.5~app-1.default~default.svc.cluster.local")
                .setMetadata(Struct.newBuilder().putFields("CLUSTER_ID", str("west"))).build();

        NodeIdentity id = NodeIdentity.of(proxyless);

        assertThat(id.role()).isEqualTo(Optional.empty());
        assertThat(id.proxyName()).isEqualTo("app-1.default");
        assertThat(id.clusterId()).isEqualTo("west");
    }

    @Test
    void builderValidatesEachArgument() {
        assertThatThrownBy(() -> NodeIdentity.builder().namespace("Istio_System"))
                .hasMessageStartingWith("namespace: Istio_System (expected: a DNS label");
        assertThatThrownBy(() -> NodeIdentity.builder().ip("10.0.0.1~x"))
                .hasMessage("ip: 10.0.0.1~x (expected: non-empty, without '~')");
        assertThatThrownBy(() -> NodeIdentity.builder().ip("10.0.0.1").podName("p").namespace("ns").build())
                .hasMessage("clusterId: not set (expected: a value before build())");
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}
