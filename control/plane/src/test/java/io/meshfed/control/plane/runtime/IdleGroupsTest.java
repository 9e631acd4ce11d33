package io.meshfed.control.plane.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Forgetting gateway groups without connected gateways, driven in memory (no timer, no server). */
class IdleGroupsTest {

  static final String KEY = "east/ingress/istio-ingressgateway";
  static final long SECOND = Duration.ofSeconds(1).toNanos();

  final GatewayGrouping grouping = GatewayGrouping.create();
  final List<String> gone = new ArrayList<>();
  final IdleGroups idle = new IdleGroups(null, null, grouping, () -> Future.succeededFuture(List.of()),
      Duration.ofSeconds(10), gone::add);

  static Node node() {
    Struct metadata = Struct.newBuilder()
        .putFields("CLUSTER_ID", Value.newBuilder().setStringValue("east").build())
        .putFields("ROLE", Value.newBuilder().setStringValue("ingress").build())
        .putFields("WORKLOAD_NAME", Value.newBuilder().setStringValue("istio-ingressgateway").build()).build();
    return Node.newBuilder().setId("router~10.0.0.7~gw-1.istio-system~istio-system.svc.cluster.local")
        .setCluster("gw-1.istio-system").setMetadata(metadata).build();
  }

  @Test
  void aGroupWithoutConnectedGatewaysIsForgottenOnceTheTimeoutPassed() {
    assertThat(grouping.groupOf(node())).isEqualTo(KEY);
    idle.evaluate(Set.of(), 0);
    idle.evaluate(Set.of(), 9 * SECOND);
    assertThat(gone).isEmpty();
    assertThat(grouping.groups()).containsKey(KEY);

    idle.evaluate(Set.of(), 10 * SECOND);
    assertThat(gone).containsExactly(KEY);
    assertThat(grouping.groups()).isEmpty();
  }

  @Test
  void aConnectedGatewayKeepsItsGroupAndResetsTheClock() {
    grouping.groupOf(node());
    idle.evaluate(Set.of(), 0);
    idle.evaluate(Set.of(KEY), 9 * SECOND);
    idle.evaluate(Set.of(), 12 * SECOND);
    idle.evaluate(Set.of(), 21 * SECOND);
    assertThat(gone).isEmpty();
    idle.evaluate(Set.of(), 22 * SECOND);
    assertThat(gone).containsExactly(KEY);
  }

  @Test
  void aGroupForgottenWhileItsGatewayConnectedIsRestored() {
    grouping.groupOf(node());
    List<GatewayGroup> told = new ArrayList<>();
    grouping.onNewGroup(told::add);
    idle.evaluate(Set.of(), 0);
    idle.evaluate(Set.of(), 10 * SECOND); // forgotten: a stream of the group started right after the read
    assertThat(grouping.groups()).isEmpty();

    idle.evaluate(Set.of(KEY), 11 * SECOND);
    assertThat(grouping.groups()).containsKey(KEY);
    assertThat(told).extracting(GatewayGroup::key).containsExactly(KEY);
    idle.evaluate(Set.of(KEY), 30 * SECOND);
    assertThat(gone).containsExactly(KEY);
  }
}
