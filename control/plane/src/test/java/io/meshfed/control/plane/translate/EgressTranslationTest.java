package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.EGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import org.junit.jupiter.api.Test;

/**
 * The egress gateway (docs/xds-profile.md, "Egress gateway"): ServiceEntry hosts as DNS and static clusters, TLS
 * origination from a DestinationRule, SNI passthrough for TLS egress, and REGISTRY_ONLY's {@code block_all}.
 */
class EgressTranslationTest {

  private static final String SERVICE_ENTRIES = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: httpbin, namespace: istio-system}
      spec:
        hosts: [httpbin.org]
        ports:
        - {number: 80, name: http, protocol: HTTP}
        - {number: 443, name: tls, protocol: TLS}
        resolution: DNS
        location: MESH_EXTERNAL
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: legacy, namespace: istio-system}
      spec:
        hosts: [legacy.internal]
        ports: [{number: 8443, name: http, protocol: HTTP}]
        resolution: STATIC
        endpoints:
        - {address: 192.168.7.10, locality: dc-1/rack-a, weight: 3}
        - {address: 192.168.7.11}
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: egress, namespace: istio-system}
      spec:
        selector: {istio: egressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["httpbin.org", "legacy.internal"]
        - port: {number: 443, name: tls, protocol: TLS}
          hosts: ["httpbin.org"]
          tls: {mode: PASSTHROUGH}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: egress, namespace: istio-system}
      spec:
        hosts: ["httpbin.org", "legacy.internal"]
        gateways: [egress]
        http:
        - match: [{uri: {prefix: /legacy}}]
          route: [{destination: {host: legacy.internal}}]
        - route:
          - destination: {host: httpbin.org, port: {number: 443}}
        tls:
        - match: [{sniHosts: ["httpbin.org"], port: 443}]
          route: [{destination: {host: httpbin.org, port: {number: 443}}}]
      """;

  private static MeshFixture egress() {
    return new MeshFixture().egress().file("egress.yaml", SERVICE_ENTRIES);
  }

  @Test
  void dnsAndStaticServiceEntriesBecomeClustersWithInlineEndpoints() {
    MeshFixture fx = egress();
    fx.translate();

    Cluster dns = fx.cluster(EGRESS, "outbound|443||httpbin.org");
    assertThat(dns.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertJson(dns.getLoadAssignment(), """
        {"clusterName":"outbound|443||httpbin.org","endpoints":[{"lbEndpoints":[
          {"endpoint":{"address":{"socketAddress":{"address":"httpbin.org","portValue":443}}},
           "loadBalancingWeight":1}],"loadBalancingWeight":1}]}
        """);
    assertThat(dns.hasTransportSocket()).as("MESH_EXTERNAL: no mesh mTLS").isFalse();
    assertThat(dns.getTransportSocketMatchesList()).isEmpty();

    Cluster legacy = fx.cluster(EGRESS, "outbound|8443||legacy.internal");
    assertThat(legacy.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertJson(legacy.getLoadAssignment(), """
        {"clusterName":"outbound|8443||legacy.internal","endpoints":[
          {"lbEndpoints":[{"endpoint":{"address":{"socketAddress":{"address":"192.168.7.11","portValue":8443}}},
             "loadBalancingWeight":1}],"loadBalancingWeight":1},
          {"locality":{"region":"dc-1","zone":"rack-a"},
           "lbEndpoints":[{"endpoint":{"address":{"socketAddress":{"address":"192.168.7.10","portValue":8443}}},
             "loadBalancingWeight":3}],"loadBalancingWeight":3}]}
        """);
  }

  @Test
  void tlsOriginationIsTheClustersTransportSocket() {
    MeshFixture fx = egress().file("dr.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: httpbin, namespace: istio-system}
        spec:
          host: httpbin.org
          trafficPolicy:
            portLevelSettings:
            - port: {number: 443}
              tls: {mode: SIMPLE, sni: httpbin.org}
        """);
    fx.translate();
    assertJson(fx.cluster(EGRESS, "outbound|443||httpbin.org").getTransportSocket(), """
        {"name":"envoy.transport_sockets.tls","typedConfig":{
          "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
          "commonTlsContext":{"validationContext":{"trustedCa":{"filename":"/etc/ssl/certs/ca-certificates.crt"}}},
          "sni":"httpbin.org"}}
        """);
  }

  @Test
  void sniPassthroughForwardsTlsUntouchedToTheDnsCluster() {
    MeshFixture fx = egress();
    fx.translate();
    assertJson(fx.listener(EGRESS, "0.0.0.0_8443").getFilterChains(0), """
        {"filterChainMatch":{"serverNames":["httpbin.org"]},
         "filters":[{"name":"envoy.filters.network.tcp_proxy","typedConfig":{
           "@type":"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
           "statPrefix":"outbound|443||httpbin.org","cluster":"outbound|443||httpbin.org"}}],
         "name":"istio-system/egress/tls[0].match[0]"}
        """);
  }

  @Test
  void registryOnlyEndsEveryRouteConfigurationWithBlockAll() {
    MeshFixture fx = egress().view(b -> b.outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY));
    fx.translate();
    VirtualHost last = fx.route(EGRESS, "http.8080").getVirtualHosts(2);
    assertJson(last, """
        {"name":"block_all","domains":["*"],"routes":[{"match":{"prefix":"/"},"directResponse":{"status":502},
          "name":"block_all"}]}
        """);

    MeshFixture allowAny = egress();
    allowAny.translate();
    assertThat(allowAny.route(EGRESS, "http.8080").getVirtualHostsList())
        .extracting(VirtualHost::getName).containsExactly("httpbin.org:80", "legacy.internal:80");
  }

  @Test
  void resolutionNoneCannotBeRoutedByAGateway() {
    MeshFixture fx = egress().file("none.yaml", """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: passthrough, namespace: istio-system}
        spec:
          hosts: [anything.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: NONE
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: anything, namespace: istio-system}
        spec:
          selector: {istio: egressgateway}
          servers:
          - port: {number: 8081, name: http, protocol: HTTP}
            hosts: ["anything.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: anything, namespace: istio-system}
        spec:
          hosts: [anything.example.com]
          gateways: [anything]
          http: [{route: [{destination: {host: anything.example.com}}]}]
        """);
    fx.translate();
    assertThat(fx.last.problems()).anySatisfy(p -> {
      assertThat(p.kind()).isEqualTo(Kind.UNSUPPORTED);
      assertThat(p.object().orElseThrow().toString()).isEqualTo("ServiceEntry istio-system/passthrough");
      assertThat(p.field()).isEqualTo("spec.resolution");
    });
  }

  private static final String VM_ENTRY = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: vms, namespace: shop}
      spec:
        hosts: [vms.shop.internal]
        ports: [{number: 8080, name: http, protocol: HTTP}]
        resolution: STATIC
        location: LOCATION
        endpoints:
        - {address: 10.9.0.1, labels: {security.istio.io/tlsMode: istio, version: v1}}
        - {address: 10.9.0.2, labels: {version: v1}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: vms, namespace: shop}
      spec:
        hosts: ["*"]
        gateways: [istio-system/edge]
        http:
        - route: [{destination: {host: vms.shop.internal}}]
      """;

  @Test
  void meshInternalEntriesGetIstioMtlsToTheirSidecarWorkloadsAndMeshExternalOnesDoNot() {
    MeshFixture internal = new MeshFixture().ingress().file("vms.yaml", MeshFixture.EDGE_GATEWAY
        + VM_ENTRY.replace("LOCATION", "MESH_INTERNAL"));
    internal.translate();
    Cluster vms = internal.cluster(MeshFixture.INGRESS, "outbound|8080||vms.shop.internal");
    assertThat(vms.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(vms.getTransportSocketMatchesList()).extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
    assertJson(vms.getLoadAssignment(), """
        {"clusterName":"outbound|8080||vms.shop.internal","endpoints":[{"lbEndpoints":[
          {"endpoint":{"address":{"socketAddress":{"address":"10.9.0.1","portValue":8080}}},
           "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"}}},"loadBalancingWeight":1},
          {"endpoint":{"address":{"socketAddress":{"address":"10.9.0.2","portValue":8080}}},"loadBalancingWeight":1}],
          "loadBalancingWeight":2}]}
        """);
    assertThat(internal.last.problems()).isEmpty();

    // The same workloads declared outside the mesh: no sidecar to speak Istio mTLS to, whatever their labels say.
    MeshFixture external = new MeshFixture().ingress().file("vms.yaml", MeshFixture.EDGE_GATEWAY
        + VM_ENTRY.replace("LOCATION", "MESH_EXTERNAL"));
    external.translate();
    Cluster outside = external.cluster(MeshFixture.INGRESS, "outbound|8080||vms.shop.internal");
    assertThat(outside.getLoadAssignment().getEndpoints(0).getLbEndpointsList())
        .allSatisfy(e -> assertThat(e.hasMetadata()).isFalse());
    assertThat(outside.getTransportSocketMatchesList()).isEmpty();
    assertThat(outside.hasTransportSocket()).isFalse();
  }
}
