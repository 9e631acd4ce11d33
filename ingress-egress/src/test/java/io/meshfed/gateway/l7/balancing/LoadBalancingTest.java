package io.meshfed.gateway.l7.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Load-balancing policies, consistent hashing and locality priorities, over real backends on loopback. */
class LoadBalancingTest extends EngineTestBase {

  private final List<Backend> backends = new java.util.ArrayList<>();

  @BeforeEach
  void backends() throws Exception {
    for (int i = 0; i < 3; i++) {
      backends.add(backend("b" + i));
    }
  }

  private int serve(Cluster.LbPolicy policy, RouteAction.HashPolicy... hashes) throws Exception {
    RouteAction.Builder action = RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(5));
    for (RouteAction.HashPolicy hash : hashes) {
      action.addHashPolicy(hash);
    }
    Cluster cluster = Xds.edsCluster("c").setLbPolicy(policy).build();
    ClusterLoadAssignment.Builder assignment = ClusterLoadAssignment.newBuilder().setClusterName("c");
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (Backend backend : backends) {
      locality.addLbEndpoints(Xds.endpoint("127.0.0.1", backend.port()));
    }
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"),
            Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(action).build())))
        .cluster(cluster).endpoints(assignment.addEndpoints(locality).build()).build());
    return port("l");
  }

  private Map<String, Integer> spread(int port, int requests, String... headers) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      Http.Response response = http.get(port, "h", "/", headers);
      counts.merge(response.json().getString("backend"), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinVisitsEveryHostEvenly() throws Exception {
    int port = serve(Cluster.LbPolicy.ROUND_ROBIN);

    Map<String, Integer> counts = spread(port, 60);

    assertThat(counts).containsOnlyKeys("b0", "b1", "b2");
    // Two event loops keep their own cursors, so shares are even within a few requests.
    assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(15, 25));
  }

  @Test
  void leastRequestAndRandomReachEveryHost() throws Exception {
    assertThat(spread(serve(Cluster.LbPolicy.LEAST_REQUEST), 60)).containsOnlyKeys("b0", "b1", "b2");
  }

  @Test
  void randomReachesEveryHost() throws Exception {
    assertThat(spread(serve(Cluster.LbPolicy.RANDOM), 90)).containsOnlyKeys("b0", "b1", "b2");
  }

  @Test
  void ringHashKeepsAHeaderOnOneHost() throws Exception {
    int port = serve(Cluster.LbPolicy.RING_HASH, RouteAction.HashPolicy.newBuilder()
        .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user")).build());

    Set<String> users = new HashSet<>();
    for (int user = 0; user < 12; user++) {
      Map<String, Integer> counts = spread(port, 5, "x-user", "user-" + user);
      assertThat(counts).as("user-%d sticks to one host", user).hasSize(1);
      users.addAll(counts.keySet());
    }
    assertThat(users).as("different users spread over hosts").hasSizeGreaterThan(1);
  }

  @Test
  void maglevKeepsACookieOnOneHostAndGeneratesItWhenMissing() throws Exception {
    int port = serve(Cluster.LbPolicy.MAGLEV, RouteAction.HashPolicy.newBuilder()
        .setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("session").setTtl(Duration.newBuilder()
            .setSeconds(60))).build());

    Http.Response first = http.get(port, "h", "/");
    String setCookie = first.header("set-cookie");
    assertThat(setCookie).startsWith("session=").contains("Max-Age=60");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(spread(port, 8, "cookie", cookie)).hasSize(1).containsKey(first.json().getString("backend"));
  }

  @Test
  void consistentHashOnSourceIpStaysOnOneHost() throws Exception {
    int port = serve(Cluster.LbPolicy.RING_HASH, RouteAction.HashPolicy.newBuilder()
        .setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true))
        .build());

    assertThat(spread(port, 10)).hasSize(1);
  }

  @Test
  void failsOverToTheNextPriorityWhenLocalEndpointsAreUnhealthy() throws Exception {
    Cluster cluster = Xds.edsCluster("c").build();
    LbEndpoint local = Xds.endpoint("127.0.0.1", backends.get(0).port()).toBuilder()
        .setHealthStatus(HealthStatus.UNHEALTHY).build();
    ClusterLoadAssignment assignment = ClusterLoadAssignment.newBuilder().setClusterName("c")
        .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("east"))
            .setPriority(0).addLbEndpoints(local))
        .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("west"))
            .setPriority(1).addLbEndpoints(Xds.endpoint("127.0.0.1", backends.get(1).port())))
        .build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(cluster).endpoints(assignment).build());

    assertThat(spread(port("l"), 10)).containsOnlyKeys("b1");

    // The local endpoint recovers: all traffic returns to priority 0.
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(cluster).endpoints(assignment.toBuilder().setEndpoints(0, assignment.getEndpoints(0).toBuilder()
            .setLbEndpoints(0, local.toBuilder().setHealthStatus(HealthStatus.HEALTHY))).build()).build());
    assertThat(spread(port("l"), 10)).containsOnlyKeys("b0");
  }

  @Test
  void weighsLocalitiesWhenTheClusterIsLocalityWeighted() throws Exception {
    Cluster cluster = Xds.edsCluster("c").setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
        .setLocalityWeightedLbConfig(Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance())).build();
    ClusterLoadAssignment assignment = ClusterLoadAssignment.newBuilder().setClusterName("c")
        .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("east"))
            .setLoadBalancingWeight(Xds.u32(90)).addLbEndpoints(Xds.endpoint("127.0.0.1", backends.get(0).port())))
        .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("west"))
            .setLoadBalancingWeight(Xds.u32(10)).addLbEndpoints(Xds.endpoint("127.0.0.1", backends.get(1).port())))
        .build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(cluster).endpoints(assignment).build());

    Map<String, Integer> counts = spread(port("l"), 200);

    // 90% of 200 = 180, σ ≈ 4.2.
    assertThat(counts.getOrDefault("b0", 0)).isBetween(160, 196);
    assertThat(counts.getOrDefault("b1", 0)).isPositive();
  }

  @Test
  void answers503WithUhWhenTheClusterHasNoEndpoints() throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(Xds.edsCluster("c").build()).build());

    Http.Response response = http.get(port("l"), "h", "/");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("UH");
    assertThat(response.body()).isEqualTo("no healthy upstream");
  }
}
