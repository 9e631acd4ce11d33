package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.EASTWEST;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The east-west gateway (docs/xds-profile.md, "East-west gateway"): :15443 chains per exported service port and
 * subset, passthrough for sidecar workloads and terminate (with network RBAC) otherwise; the :15001 outbound listener
 * with virtual hosts for every remote service and failover across remote clusters; SDS default and ROOTCA.
 */
class EastWestTranslationTest {

  private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

  private static MeshFixture exported() {
    return new MeshFixture().eastwest()
        .view(b -> b.gatewayCredential(EASTWEST, new TlsCredential(CERT, KEY)))
        .file("k8s.yaml", Kube.service("shop", "sidecars", "http:8000") + Kube.export("shop", "sidecars")
            + Kube.endpoints("shop", "sidecars", "http", 8000, "s-1/10.1.0.1/security.istio.io/tlsMode=istio")
            + Kube.service("shop", "plain", "http:8000", "tcp-db:5432") + Kube.export("shop", "plain")
            + Kube.endpoints("shop", "plain", "http", 8000, "p-1/10.1.0.2/version=v1")
            + Kube.service("shop", "private", "http:8000")
            + Kube.endpoints("shop", "private", "http", 8000, "x-1/10.1.0.3/"));
  }

  private static FilterChain chain(Listener listener, String name) {
    return listener.getFilterChainsList().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no chain " + name + " in " + listener.getFilterChainsList().stream()
            .map(FilterChain::getName).toList()));
  }

  @Test
  void sidecarWorkloadsArePassedThroughBySni() {
    MeshFixture fx = exported();
    fx.translate();

    Listener inbound = fx.listener(EASTWEST, "0.0.0.0_15443");
    assertThat(inbound.getFilterChainsList()).extracting(FilterChain::getName).containsExactly(
        "outbound_.8000_._.plain.shop.svc.cluster.local", "outbound_.5432_._.plain.shop.svc.cluster.local",
        "outbound_.8000_._.sidecars.shop.svc.cluster.local");
    assertJson(chain(inbound, "outbound_.8000_._.sidecars.shop.svc.cluster.local"), """
        {"filterChainMatch":{"serverNames":["outbound_.8000_._.sidecars.shop.svc.cluster.local"],
           "applicationProtocols":["istio-peer-exchange","istio","istio-http/1.0","istio-http/1.1","istio-h2"]},
         "filters":[{"name":"envoy.filters.network.tcp_proxy","typedConfig":{
           "@type":"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
           "statPrefix":"outbound_.8000_._.sidecars.shop.svc.cluster.local",
           "cluster":"outbound_.8000_._.sidecars.shop.svc.cluster.local"}}],
         "name":"outbound_.8000_._.sidecars.shop.svc.cluster.local"}
        """);
    Cluster cluster = fx.cluster(EASTWEST, "outbound_.8000_._.sidecars.shop.svc.cluster.local");
    assertThat(cluster.hasTransportSocket()).isFalse();
    assertThat(cluster.getTransportSocketMatchesList()).as("the client's mTLS is spliced untouched").isEmpty();
    assertThat(fx.endpoints(EASTWEST, "outbound_.8000_._.sidecars.shop.svc.cluster.local").getEndpoints(0)
        .getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress()).isEqualTo("10.1.0.1");
    // Services without ServiceExport are not reachable from other clusters.
    assertThat(fx.names(EASTWEST, XdsResourceType.CLUSTER)).noneMatch(n -> n.contains("private"));
    assertThat(fx.names(EASTWEST, XdsResourceType.SECRET)).containsExactly("ROOTCA", "default");
  }

  @Test
  void workloadsWithoutSidecarsAreTerminatedAuthorizedAndForwarded() {
    MeshFixture fx = exported().file("authz.yaml", """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: plain, namespace: shop}
        spec:
          selector: {matchLabels: {app: plain}}
          action: ALLOW
          rules:
          - from: [{source: {namespaces: [frontend]}}]
            to: [{operation: {ports: ["8000"]}}]
          - from: [{source: {principals: ["cluster.local/ns/ops/sa/admin"]}}]
            to: [{operation: {methods: [DELETE]}}]
        """);
    fx.translate();

    FilterChain http = chain(fx.listener(EASTWEST, "0.0.0.0_15443"), "outbound_.8000_._.plain.shop.svc.cluster.local");
    assertJson(http.getTransportSocket().getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
         "commonTlsContext":{
           "tlsCertificateSdsSecretConfigs":[{"name":"default","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}],
           "combinedValidationContext":{
             "defaultValidationContext":{"matchTypedSubjectAltNames":[{"sanType":"URI","matcher":{"prefix":"spiffe://cluster.local/"}}]},
             "validationContextSdsSecretConfig":{"name":"ROOTCA","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}},
           "alpnProtocols":["istio-peer-exchange","istio","h2","http/1.1"]},
         "requireClientCertificate":true}
        """);
    assertThat(http.getFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.network.rbac",
        "envoy.filters.network.http_connection_manager");
    // Ports are decided here (the chain serves port 8000); the DELETE rule needs the request and never matches.
    assertJson(http.getFilters(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC",
         "rules":{"policies":{"ns[shop]-policy[plain]-rule[0]":{
           "permissions":[{"any":true}],
           "principals":[{"authenticated":{"principalName":{"safeRegex":{"regex":"spiffe://[^/]+/ns/\\\\Qfrontend\\\\E/.*"}}}}]}}},
         "statPrefix":"rbac_outbound_.8000_._.plain.shop.svc.cluster.local"}
        """);
    assertThat(fx.route(EASTWEST, "inbound|8000||plain.shop.svc.cluster.local").getVirtualHosts(0).getRoutes(0)
        .getRoute().getCluster()).isEqualTo("outbound_.8000_._.plain.shop.svc.cluster.local");
    // On the database port the first rule's port does not match: no rule admits anything, the chain denies all.
    FilterChain tcp = chain(fx.listener(EASTWEST, "0.0.0.0_15443"), "outbound_.5432_._.plain.shop.svc.cluster.local");
    assertJson(tcp.getFilters(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC","rules":{},
         "statPrefix":"rbac_outbound_.5432_._.plain.shop.svc.cluster.local"}
        """);
    assertThat(tcp.getFilters(1).getName()).isEqualTo("envoy.filters.network.tcp_proxy");
    assertThat(fx.last.problems()).anySatisfy(p -> {
      assertThat(p.kind()).isEqualTo(Kind.UNSUPPORTED);
      assertThat(p.field()).isEqualTo("spec.rules[1]");
      assertThat(p.object().orElseThrow().toString()).isEqualTo("AuthorizationPolicy shop/plain");
    });
    // The terminated hop to a pod without a sidecar is plaintext, to a sidecar Istio mTLS (auto mTLS).
    assertThat(fx.cluster(EASTWEST, "outbound_.8000_._.plain.shop.svc.cluster.local")
        .getTransportSocketMatchesList()).extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
  }

  @Test
  void theModeAnnotationOverridesTheDefault() {
    MeshFixture fx = exported().file("override.yaml", """
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata:
          name: private
          namespace: shop
          annotations: {meshfed.io/eastwest-mode: passthrough}
        """);
    fx.translate();
    FilterChain chain = chain(fx.listener(EASTWEST, "0.0.0.0_15443"),
        "outbound_.8000_._.private.shop.svc.cluster.local");
    assertThat(chain.hasTransportSocket()).isFalse();
    assertThat(chain.getFilters(0).getName()).isEqualTo("envoy.filters.network.tcp_proxy");
  }

  private static MeshFixture remote() {
    List<ServicePort> ports = List.of(new ServicePort("http", 9080, "TCP", ""));
    return new MeshFixture().eastwest()
        .view(b -> b.locality(Locality.of("us-east", "zone-a", "")))
        .cluster("west", "net-west", Locality.of("us-east", "zone-b", ""), "127.0.2.100")
        .cluster("eu", "net-eu", Locality.of("eu-central", "zone-1", ""), "127.0.3.100", "127.0.3.101")
        .export("west", "default", "reviews", ports, List.of(), Reach.GATEWAY, 2)
        .export("eu", "default", "reviews", ports, List.of(), Reach.GATEWAY, 5)
        .export("eu", "other", "reviews", ports, List.of(), Reach.GATEWAY, 1)
        .export("eu", "default", "ratings", ports, List.of(), Reach.GATEWAY, 1);
  }

  @Test
  void theOutboundListenerRoutesEveryRemoteServiceByItsKubernetesNames() {
    MeshFixture fx = remote();
    fx.translate();

    Listener outbound = fx.listener(EASTWEST, "0.0.0.0_15001");
    assertJson(outbound.getFilterChains(0).getFilterChainMatch(), "{\"transportProtocol\":\"raw_buffer\"}");
    VirtualHost reviews = fx.route(EASTWEST, "outbound.15001").getVirtualHostsList().stream()
        .filter(v -> v.getName().equals("reviews.default.svc.cluster.local:9080")).findFirst().orElseThrow();
    // "reviews" alone is ambiguous (default and other both have one): not a domain.
    assertThat(reviews.getDomainsList()).containsExactly("reviews.default:9080", "reviews.default.svc:9080",
        "reviews.default.svc.cluster.local:9080", "reviews.default", "reviews.default.svc",
        "reviews.default.svc.cluster.local");
    VirtualHost ratings = fx.route(EASTWEST, "outbound.15001").getVirtualHostsList().stream()
        .filter(v -> v.getName().equals("ratings.default.svc.cluster.local:9080")).findFirst().orElseThrow();
    assertThat(ratings.getDomainsList()).containsExactly("ratings:9080", "ratings.default:9080",
        "ratings.default.svc:9080", "ratings.default.svc.cluster.local:9080", "ratings", "ratings.default",
        "ratings.default.svc", "ratings.default.svc.cluster.local");
    assertThat(reviews.getRoutes(0).getRoute().getCluster()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(reviews.getRoutes(0).getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);

    // Remote gateways only, mTLS with the service's SNI, failover: the same-region cluster first.
    assertJson(fx.endpoints(EASTWEST, "outbound|9080||reviews.default.svc.cluster.local"), """
        {"clusterName":"outbound|9080||reviews.default.svc.cluster.local","endpoints":[
          {"locality":{"region":"us-east","zone":"zone-b"},"lbEndpoints":[
            {"endpoint":{"address":{"socketAddress":{"address":"127.0.2.100","portValue":15443}}},"healthStatus":"HEALTHY",
             "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"},
               "istio":{"cluster":"west","network":"net-west"}}},"loadBalancingWeight":2}],
           "loadBalancingWeight":2},
          {"locality":{"region":"eu-central","zone":"zone-1"},"lbEndpoints":[
            {"endpoint":{"address":{"socketAddress":{"address":"127.0.3.100","portValue":15443}}},"healthStatus":"HEALTHY",
             "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"},
               "istio":{"cluster":"eu","network":"net-eu"}}},"loadBalancingWeight":5},
            {"endpoint":{"address":{"socketAddress":{"address":"127.0.3.101","portValue":15443}}},"healthStatus":"HEALTHY",
             "metadata":{"filterMetadata":{"envoy.transport_socket_match":{"tlsMode":"istio"},
               "istio":{"cluster":"eu","network":"net-eu"}}},"loadBalancingWeight":5}],
           "loadBalancingWeight":10,"priority":1}]}
        """);
    Cluster cluster = fx.cluster(EASTWEST, "outbound|9080||reviews.default.svc.cluster.local");
    assertJson(cluster.getOutlierDetection(), """
        {"consecutive5xx":5,"interval":"10s","baseEjectionTime":"30s","maxEjectionPercent":100,
         "enforcingConsecutive5xx":100,"consecutiveGatewayFailure":5,"enforcingConsecutiveGatewayFailure":100}
        """);
    assertThat(cluster.getTransportSocketMatches(0).getTransportSocket().getTypedConfig().toString())
        .contains("outbound_.9080_._.reviews.default.svc.cluster.local");
  }

  @Test
  void workloadOriginatedMtlsIsForwardedBySniToTheRemoteGateways() {
    MeshFixture fx = remote();
    fx.translate();

    FilterChain tls = chain(fx.listener(EASTWEST, "0.0.0.0_15001"),
        "tls|outbound_.9080_._.ratings.default.svc.cluster.local");
    assertJson(tls.getFilterChainMatch(), """
        {"serverNames":["outbound_.9080_._.ratings.default.svc.cluster.local"],"transportProtocol":"tls"}
        """);
    assertThat(tls.getFilters(0).getName()).isEqualTo("envoy.filters.network.tcp_proxy");
    Cluster passthrough = fx.cluster(EASTWEST, "passthrough|9080||ratings.default.svc.cluster.local");
    assertThat(passthrough.getTransportSocketMatchesList()).isEmpty();
    assertThat(passthrough.hasTransportSocket()).isFalse();
    assertThat(fx.names(EASTWEST, XdsResourceType.LISTENER)).containsExactly("0.0.0.0_15001");
  }

  @Test
  void istiosCrossNetworkGatewayDescribesThe15443ListenerAndOtherServersAreReported() {
    MeshFixture fx = exported().sample("multicluster/expose-services.yaml").sample("multicluster/expose-istiod.yaml")
        .file("narrow.yaml", """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: narrow, namespace: istio-system}
            spec:
              selector: {istio: eastwestgateway}
              servers:
              - port: {number: 15443, name: tls, protocol: TLS}
                tls: {mode: AUTO_PASSTHROUGH}
                hosts: ["*.svc.cluster.local", "shop/*.shop.svc.cluster.local", "local", "*", "shop/*.LOCAL"]
            """);
    fx.translate();

    assertThat(fx.names(EASTWEST, XdsResourceType.LISTENER)).containsExactly("0.0.0.0_15001", "0.0.0.0_15443");
    List<String> reported = fx.last.problems().stream().filter(p -> p.kind() == Kind.UNSUPPORTED)
        .map(p -> p.object().orElseThrow() + " " + p.field()).toList();
    // Istio's cross-network-gateway is what the 15443 listener serves: nothing to say about it.
    assertThat(reported).containsExactlyInAnyOrder("Gateway default/istiod-gateway spec.servers[0]",
        "Gateway default/istiod-gateway spec.servers[1]", "Gateway istio-system/narrow spec.servers[0].hosts[1]",
        "Gateway istio-system/narrow spec.servers[0].hosts[2]");
    assertThat(fx.last.problems()).anySatisfy(p -> {
      assertThat(p.field()).isEqualTo("spec.servers[0]");
      assertThat(p.detail()).contains("port 15012, TLS PASSTHROUGH) is not served");
      assertThat(p.fix()).contains("istiod needs no exposing");
      assertThat(p.groups()).containsExactly(EASTWEST);
    });
    assertThat(fx.last.problems()).noneMatch(p -> p.kind() == Kind.GATEWAY_SELECTS_NOTHING);
  }
}
