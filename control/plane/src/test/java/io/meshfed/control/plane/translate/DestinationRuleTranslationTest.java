package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule → clusters (docs/xds-profile.md, "Clusters"): subsets as separate clusters, load balancing and
 * consistent hashing (with the route's hash policy), connection pool, outlier detection, TLS modes, port-level and
 * subset-level overrides, and locality settings as EDS priorities and weights.
 */
class DestinationRuleTranslationTest {

  private static final String WEB = "outbound|8000||web.shop.svc.cluster.local";

  private static MeshFixture shop(String trafficPolicy, String subsets) {
    return new MeshFixture().ingress()
        .file("k8s.yaml", Kube.service("shop", "web", "http:8000", "grpc-api:9000")
            + Kube.endpoints("shop", "web", "http", 8000, "web-1/10.1.0.1/version=v1", "web-2/10.1.0.2/version=v2"))
        .file("routes.yaml", MeshFixture.EDGE_GATEWAY + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: shop}
            spec:
              hosts: ["web.example.com"]
              gateways: ["istio-system/edge"]
              http:
              - match: [{uri: {prefix: /v2}}]
                route:
                - destination: {host: web, port: {number: 8000}, subset: v2}
              - match: [{uri: {prefix: /api}}]
                route:
                - destination: {host: web, port: {number: 9000}}
              - route:
                - destination: {host: web, port: {number: 8000}}
            """)
        .file("dr.yaml", """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: shop}
            spec:
              host: web
              trafficPolicy:
            """ + trafficPolicy + """
              subsets:
            """ + subsets);
  }

  private static final String SUBSETS = """
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
          trafficPolicy:
            loadBalancer: {simple: RANDOM}
      """;

  @Test
  void loadBalancingConnectionPoolAndOutlierDetection() throws Exception {
    MeshFixture fx = shop("""
            loadBalancer: {simple: LEAST_REQUEST}
            connectionPool:
              tcp: {maxConnections: 100, connectTimeout: 2s}
              http: {http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 5, maxRetries: 3,
                     idleTimeout: 30s}
            outlierDetection: {consecutive5xxErrors: 7, consecutiveGatewayErrors: 2, interval: 5s,
                               baseEjectionTime: 1m, maxEjectionPercent: 50, minHealthPercent: 25}
        """, SUBSETS);
    fx.translate();

    Cluster web = fx.cluster(INGRESS, WEB);
    assertJson(web.toBuilder().clearTransportSocketMatches().build(), """
        {"name":"outbound|8000||web.shop.svc.cluster.local","type":"EDS",
         "edsClusterConfig":{"edsConfig":{"ads":{},"resourceApiVersion":"V3"}},
         "connectTimeout":"2s","lbPolicy":"LEAST_REQUEST",
         "circuitBreakers":{"thresholds":[{"maxConnections":100,"maxPendingRequests":10,"maxRequests":1000,"maxRetries":3}]},
         "outlierDetection":{"consecutive5xx":7,"interval":"5s","baseEjectionTime":"60s","maxEjectionPercent":50,
           "enforcingConsecutive5xx":100,"consecutiveGatewayFailure":2,"enforcingConsecutiveGatewayFailure":100},
         "commonLbConfig":{"healthyPanicThreshold":{"value":25.0}},
         "typedExtensionProtocolOptions":{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions":{
           "@type":"type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
           "commonHttpProtocolOptions":{"idleTimeout":"30s","maxRequestsPerConnection":5},
           "explicitHttpConfig":{"httpProtocolOptions":{}}}}}
        """);
    // The subset's own policy replaces the load balancer; the rest comes from the top level.
    Cluster v2 = fx.cluster(INGRESS, "outbound|8000|v2|web.shop.svc.cluster.local");
    assertThat(v2.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(v2.getCircuitBreakers()).isEqualTo(web.getCircuitBreakers());
    // The grpc port speaks HTTP/2 upstream.
    assertThat(fx.cluster(INGRESS, "outbound|9000||web.shop.svc.cluster.local").getTypedExtensionProtocolOptionsOrThrow(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions").unpack(
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class).getExplicitHttpConfig()
        .hasHttp2ProtocolOptions()).isTrue();
    // Only v2 is routed to: the v1 subset's cluster is not sent to this gateway.
    assertThat(fx.names(INGRESS, io.meshfed.control.client.xds.XdsResourceType.CLUSTER))
        .doesNotContain("outbound|8000|v1|web.shop.svc.cluster.local");
    assertThat(fx.endpoints(INGRESS, "outbound|8000|v2|web.shop.svc.cluster.local").getEndpoints(0)
        .getLbEndpointsList()).extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .containsExactly("10.1.0.2");
  }

  @Test
  void consistentHashIsRingHashWithTheHashKeyOnTheRoute() {
    MeshFixture fx = shop("""
            loadBalancer:
              consistentHash:
                httpCookie: {name: session, ttl: 60s, path: /}
                ringHash: {minimumRingSize: 2048}
        """, SUBSETS);
    fx.translate();

    Cluster web = fx.cluster(INGRESS, WEB);
    assertThat(web.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertJson(web.getRingHashLbConfig(), "{\"minimumRingSize\":\"2048\"}");
    var route = fx.route(INGRESS, "http.8080").getVirtualHosts(0).getRoutes(2);
    assertJson(route.getRoute().getHashPolicy(0), """
        {"cookie":{"name":"session","ttl":"60s","path":"/"}}
        """);
  }

  @Test
  void portLevelSettingsOverrideForTheirPortOnly() {
    MeshFixture fx = shop("""
            loadBalancer:
              consistentHash: {useSourceIp: true, maglev: {tableSize: 65537}}
            portLevelSettings:
            - port: {number: 9000}
              loadBalancer: {simple: ROUND_ROBIN}
              connectionPool:
                tcp: {maxConnections: 1}
        """, SUBSETS);
    fx.translate();

    assertThat(fx.cluster(INGRESS, WEB).getLbPolicy()).isEqualTo(Cluster.LbPolicy.MAGLEV);
    assertJson(fx.route(INGRESS, "http.8080").getVirtualHosts(0).getRoutes(2).getRoute().getHashPolicy(0),
        "{\"connectionProperties\":{\"sourceIp\":true}}");
    Cluster api = fx.cluster(INGRESS, "outbound|9000||web.shop.svc.cluster.local");
    assertThat(api.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(api.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()).isEqualTo(1);
  }

  @Test
  void tlsModes() {
    MeshFixture simple = shop("""
            tls: {mode: SIMPLE, sni: web.internal, credentialName: web-ca}
        """, SUBSETS);
    simple.translate();
    Cluster originate = simple.cluster(INGRESS, WEB);
    assertThat(originate.getTransportSocketMatchesList()).isEmpty();
    assertJson(originate.getTransportSocket(), """
        {"name":"envoy.transport_sockets.tls","typedConfig":{
          "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
          "commonTlsContext":{"combinedValidationContext":{"defaultValidationContext":{},
            "validationContextSdsSecretConfig":{"name":"kubernetes://web-ca-cacert","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}}},
          "sni":"web.internal"}}
        """);

    MeshFixture disabled = shop("    tls: {mode: DISABLE}\n", SUBSETS);
    disabled.translate();
    assertThat(disabled.cluster(INGRESS, WEB).hasTransportSocket()).isFalse();
    assertThat(disabled.cluster(INGRESS, WEB).getTransportSocketMatchesList()).isEmpty();

    MeshFixture istio = shop("    tls: {mode: ISTIO_MUTUAL}\n", SUBSETS);
    istio.translate();
    assertJson(istio.cluster(INGRESS, WEB).getTransportSocket().getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
         "commonTlsContext":{
           "tlsCertificateSdsSecretConfigs":[{"name":"default","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}],
           "combinedValidationContext":{
             "defaultValidationContext":{"matchTypedSubjectAltNames":[{"sanType":"URI","matcher":{"prefix":"spiffe://cluster.local/"}}]},
             "validationContextSdsSecretConfig":{"name":"ROOTCA","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}},
           "alpnProtocols":["istio-peer-exchange","istio","h2","http/1.1"]},
         "sni":"outbound_.8000_._.web.shop.svc.cluster.local"}
        """);
  }

  private static MeshFixture regions(String trafficPolicy) {
    return shop(trafficPolicy, SUBSETS)
        .view(b -> b.locality(Locality.of("us-east", "zone-a", "")))
        .cluster("west", "net-west", Locality.of("us-west", "zone-1", ""), "127.0.2.100")
        .cluster("eu", "net-eu", Locality.of("eu-central", "zone-1", ""), "127.0.3.100")
        .export("west", "shop", "web", List.of(new ServicePort("http", 8000, "TCP", "")), List.of(), Reach.GATEWAY, 2)
        .export("eu", "shop", "web", List.of(new ServicePort("http", 8000, "TCP", "")), List.of(), Reach.GATEWAY, 4);
  }

  private static String priorities(ClusterLoadAssignment assignment) {
    StringBuilder out = new StringBuilder();
    for (LocalityLbEndpoints l : assignment.getEndpointsList()) {
      out.append(l.getPriority()).append(':').append(l.getLocality().getRegion()).append(' ');
    }
    return out.toString().trim();
  }

  @Test
  void localityFailoverRulesOrderRegionsAfterTheLocalOne() {
    MeshFixture fx = regions("""
            outlierDetection: {consecutive5xxErrors: 3}
            loadBalancer:
              localityLbSetting:
                failover: [{from: us-east, to: eu-central}]
        """);
    fx.translate();
    // us-east (this cluster) 0, eu-central by the failover rule, us-west last.
    assertThat(priorities(fx.endpoints(INGRESS, WEB))).isEqualTo("0:us-east 1:eu-central 2:us-west");
  }

  @Test
  void failoverPriorityRanksByLabelsInOrder() {
    MeshFixture fx = regions("""
            outlierDetection: {consecutive5xxErrors: 3}
            loadBalancer:
              localityLbSetting:
                failoverPriority: ["topology.istio.io/network", "topology.kubernetes.io/region"]
        """);
    fx.translate();
    // Same network (this cluster's pods) first; the other networks differ on the first label: one rank.
    assertThat(priorities(fx.endpoints(INGRESS, WEB))).isEqualTo("0:us-east 1:eu-central 1:us-west");
  }

  @Test
  void distributeWeighsLocalitiesAndTurnsOnLocalityWeightedBalancing() {
    MeshFixture fx = regions("""
            loadBalancer:
              localityLbSetting:
                distribute:
                - from: us-east/*
                  to: {"us-east/*": 70, "eu-central/*": 30}
        """);
    fx.translate();
    ClusterLoadAssignment assignment = fx.endpoints(INGRESS, WEB);
    assertThat(assignment.getEndpointsList()).extracting(l -> l.getLocality().getRegion() + "="
        + l.getLoadBalancingWeight().getValue()).containsExactly("eu-central=30", "us-east=70");
    assertThat(fx.cluster(INGRESS, WEB).getCommonLbConfig().hasLocalityWeightedLbConfig()).isTrue();
  }
}
