package io.meshfed.control.plane.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.GatewayRole;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayGroupingTest {

  private static Node node(String role, String workload, String userAgent) {
    Struct.Builder metadata = Struct.newBuilder()
        .putFields("CLUSTER_ID", Value.newBuilder().setStringValue("east").build())
        .putFields("LABELS", Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("istio", Value.newBuilder().setStringValue("ingressgateway").build())).build());
    if (role != null) {
      metadata.putFields("ROLE", Value.newBuilder().setStringValue(role).build());
    }
    if (workload != null) {
      metadata.putFields("WORKLOAD_NAME", Value.newBuilder().setStringValue(workload).build());
    }
    return Node.newBuilder().setId("router~10.0.0.7~gw-7f9c-abcde.istio-system~istio-system.svc.cluster.local")
        .setCluster("gw-7f9c-abcde.istio-system").setUserAgentName(userAgent).setMetadata(metadata)
        .setLocality(Locality.newBuilder().setRegion("us-east").setZone("zone-a")).build();
  }

  @Test
  void aGatewayDeploymentIsOneGroupWithItsLabelsNamespaceAndLocality() {
    GatewayGrouping grouping = GatewayGrouping.create();
    List<GatewayGroup> seen = new ArrayList<>();
    grouping.onNewGroup(seen::add);

    assertThat(grouping.groupOf(node("ingress", "istio-ingressgateway", "meshfed")))
        .isEqualTo("east/ingress/istio-ingressgateway");
    assertThat(grouping.groupOf(node("ingress", "istio-ingressgateway", "meshfed")))
        .as("a second pod of the deployment").isEqualTo("east/ingress/istio-ingressgateway");

    assertThat(seen).singleElement().satisfies(g -> {
      assertThat(g.role()).contains(GatewayRole.INGRESS);
      assertThat(g.form()).isEqualTo(GatewayGroup.Form.GATEWAY);
      assertThat(g.namespace()).isEqualTo("istio-system");
      assertThat(g.labels()).containsEntry("istio", "ingressgateway");
      assertThat(g.locality().region()).isEqualTo("us-east");
    });
    assertThat(grouping.groups()).containsOnlyKeys("east/ingress/istio-ingressgateway");
  }

  @Test
  void proxylessClientsAndNodesWithoutWorkloadName() {
    GatewayGrouping grouping = GatewayGrouping.create();
    assertThat(grouping.groupOf(node("ingress", null, "gRPC Java")))
        .isEqualTo("east/ingress/gw-7f9c-abcde.istio-system/proxyless");
    assertThat(grouping.groupOf(node(null, "orders", "gRPC Java"))).isEqualTo("east/mesh/orders/proxyless");
    assertThat(grouping.groups().get("east/mesh/orders/proxyless").role()).isEmpty();
  }

  @Test
  void malformedLabelsAreRefusedNamingTheField() {
    Node node = node("ingress", "gw", "meshfed").toBuilder().setMetadata(node("ingress", "gw", "meshfed")
        .getMetadata().toBuilder().putFields("LABELS", Value.newBuilder().setStringValue("istio=gw").build()))
        .build();
    assertThatThrownBy(() -> GatewayGrouping.create().groupOf(node)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata.LABELS: string_value (expected: a struct of label names to string values)");
  }
}
