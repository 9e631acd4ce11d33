package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static io.meshfed.control.plane.translate.MeshFixture.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * EDS across clusters (docs/xds-profile.md, "Endpoints"): this cluster's pods, other networks' services through
 * their east-west gateways weighted by healthy endpoint count (split horizon), same-network clusters' pods directly,
 * failover priorities as Istio computes them.
 */
class MultiClusterEndpointsTest {

  private static final List<ServicePort> HTTP_9080 = List.of(new ServicePort("http", 9080, "TCP", ""));

  private static final String GATEWAY_ROUTE = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: default}
      spec:
        hosts: ["reviews.example.com"]
        gateways: ["istio-system/gw"]
        http:
        - route:
          - destination: {host: reviews, port: {number: 9080}}
      ---
      """;

  private static MeshFixture twoClusters() {
    return new MeshFixture().ingress()
        .view(b -> b.locality(Locality.of("us-east", "zone-a", "")))
        .cluster("west", "net-west", Locality.of("us-west", "zone-b", ""), "127.0.2.100:15443")
        .file("k8s.yaml", Kube.service("default", "reviews", "http:9080")
            + Kube.endpoints("default", "reviews", "http", 9080, "r1/10.1.0.2/version=v1", "r2/10.1.0.3/version=v2"))
        .export("west", "default", "reviews", HTTP_9080, List.of(), Reach.GATEWAY, 3)
        .file("routes.yaml", GATEWAY_ROUTE);
  }

  @Test
  void localEndpointsComeFirstAndTheRemoteNetworkIsItsGatewayWeightedByItsEndpoints() {
    MeshFixture fx = twoClusters().file("dr.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 3}
        """);
    fx.translate();

    assertJson(fx.endpoints(INGRESS, "outbound|9080||reviews.default.svc.cluster.local"), """
        {"clusterName":"outbound|9080||reviews.default.svc.cluster.local","endpoints":[
          {"locality":{"region":"us-east","zone":"zone-a"},
           "lbEndpoints":[
             {"endpoint":{"address":{"socketAddress":{"address":"10.1.0.2","portValue":9080}}},"healthStatus":"HEALTHY",
              "metadata":{"filterMetadata":{"istio":{"workload":"reviews;default;reviews;v1;east","cluster":"east","network":"net-east"}}}},
             {"endpoint":{"address":{"socketAddress":{"address":"10.1.0.3","portValue":9080}}},"healthStatus":"HEALTHY",
              "metadata":{"filterMetadata":{"istio":{"workload":"reviews;default;reviews;v2;east","cluster":"east","network":"net-east"}}}}],
           "loadBalancingWeight":2},
          {"locality":{"region":"us-west","zone":"zone-b"},
           "lbEndpoints":[
             {"endpoint":{"address":{"socketAddress":{"address":"127.0.2.100","portValue":15443}}},"healthStatus":"HEALTHY",
              "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"},"istio":{"cluster":"west","network":"net-west"}}},
              "loadBalancingWeight":3}],
           "loadBalancingWeight":3,"priority":1}]}
        """);
    assertThat(fx.last.problems()).isEmpty();
  }

  @Test
  void withoutOutlierDetectionEveryClusterSharesPriorityZeroAsInIstio() {
    MeshFixture fx = twoClusters();
    fx.translate();

    var assignment = fx.endpoints(INGRESS, "outbound|9080||reviews.default.svc.cluster.local");
    assertThat(assignment.getEndpointsList()).hasSize(2)
        .allSatisfy(locality -> assertThat(locality.getPriority()).isZero());
  }

  @Test
  void aSameNetworkClusterContributesItsPodsDirectly() {
    MeshFixture fx = new MeshFixture().ingress().file("routes.yaml", GATEWAY_ROUTE)
        .cluster("north", "net-east", Locality.of("us-east", "zone-c", ""), "127.0.3.100")
        .export("north", "default", "reviews", HTTP_9080, List.of(endpoint("10.3.0.7", 9080,
            Map.of("app", "reviews", "security.istio.io/tlsMode", "istio"))), Reach.ENDPOINTS, 1);
    fx.translate();

    assertJson(fx.endpoints(INGRESS, "outbound|9080||reviews.default.svc.cluster.local"), """
        {"clusterName":"outbound|9080||reviews.default.svc.cluster.local","endpoints":[
          {"lbEndpoints":[
             {"endpoint":{"address":{"socketAddress":{"address":"10.3.0.7","portValue":9080}}},"healthStatus":"HEALTHY",
              "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"},
                "istio":{"workload":"reviews;default;reviews;;north","cluster":"north","network":"net-east"}}}}],
           "loadBalancingWeight":1}]}
        """);
  }
}
