package io.meshfed.gateway.eastwest.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.XdsResources;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTranslatorTest {

  static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final String SNI_V2 = "outbound_.9080_.v2_.reviews.default.svc.cluster.local";
  static final List<String> DOMAINS = List.of("cluster.local", "old.domain");

  private final TestPki mesh = TestPki.create("mesh");
  private final List<Secret> secrets = List.of(
      Xds.certificate("default", mesh.issue("spiffe://cluster.local/ns/istio-system/sa/eastwest")),
      Xds.roots("ROOTCA", mesh));

  private XdsResources profile(Listener... extra) {
    Listener inbound = Xds.listener(15443, Xds.passthrough(SNI), Xds.passthrough(SNI_V2),
        Xds.terminate("outbound_.9000_._.legacy.default.svc.cluster.local", DOMAINS,
            List.of(Xds.rbac(RBAC.Action.ALLOW, "ns[default]-policy[legacy]-rule[0]",
                List.of("spiffe://cluster.local/ns/default/sa/productpage"))),
            Xds.tcpProxy("outbound_.9000_._.legacy.default.svc.cluster.local")));
    Listener outbound = Listener.newBuilder().setName("0.0.0.0_15001").setAddress(Xds.address("0.0.0.0", 15001))
        .addListenerFilters(Xds.tlsInspector())
        .addFilterChains(FilterChain.newBuilder().setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer"))
            .addFilters(Xds.httpConnectionManager("outbound.15001")))
        .addFilterChains(FilterChain.newBuilder().setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder().setTransportProtocol("tls")
                    .addServerNames("outbound_.9080_._.ratings.default.svc.cluster.local"))
            .addFilters(Xds.tcpProxy("outbound_.9080_._.ratings.default.svc.cluster.local")))
        .build();
    List<Listener> listeners = new java.util.ArrayList<>(List.of(inbound, outbound));
    listeners.addAll(List.of(extra));
    Cluster remote = Xds.edsWithIstioTls("outbound|9080||ratings.default.svc.cluster.local",
        "outbound_.9080_._.ratings.default.svc.cluster.local", DOMAINS).toBuilder()
        .setOutlierDetection(Xds.outlier(3, 30)).build();
    return new XdsResources("v1", listeners,
        List.of(Xds.routes("outbound.15001", Map.of(List.of("ratings", "ratings:9080",
            "ratings.default.svc.cluster.local"), "outbound|9080||ratings.default.svc.cluster.local"))),
        List.of(Xds.eds(SNI), Xds.eds(SNI_V2), Xds.eds("outbound_.9000_._.legacy.default.svc.cluster.local"), remote,
            Xds.eds("outbound_.9080_._.ratings.default.svc.cluster.local")),
        List.of(Xds.endpoints(SNI, new InetSocketAddress("10.0.0.1", 9080), new InetSocketAddress("10.0.0.2", 9080)),
            Xds.prioritized("outbound|9080||ratings.default.svc.cluster.local", true,
                new InetSocketAddress("192.0.2.10", 15443), new InetSocketAddress("198.51.100.10", 15443))),
        secrets);
  }

  private static List<String> errors(XdsResources resources) {
    return ConfigTranslator.translate(resources).errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void theEastWestProfileTranslates() {
    ConfigTranslator.Translation translation = ConfigTranslator.translate(profile());
    assertThat(translation.errors()).isEmpty();
    GatewayConfig config = translation.config();
    assertThat(config.warming()).isEmpty();
    ListenerConfig inbound = config.listeners().get("0.0.0.0_15443");
    assertThat(inbound.inspectsTls()).isTrue();
    assertThat(inbound.chains()).hasSize(3);
    FilterChainConfig terminate = inbound.chains().get(2);
    assertThat(terminate.terminatesTls()).isTrue();
    assertThat(terminate.tls().requireClientCertificate()).isTrue();
    // Istio's metadata exchange is not negotiated in terminate mode.
    assertThat(terminate.tls().alpn()).containsExactly("istio", "h2", "http/1.1");
    assertThat(terminate.tls().clientValidation().sanMatchers()).hasSize(2);
    assertThat(terminate.rbac()).hasSize(1);

    ClusterConfig remote = config.clusters().get("outbound|9080||ratings.default.svc.cluster.local");
    assertThat(remote.localities()).extracting(LocalityEndpoints::priority).containsExactly(0, 1);
    HostConfig gateway = remote.localities().get(0).hosts().get(0);
    assertThat(gateway.tls().sni()).isEqualTo("outbound_.9080_._.ratings.default.svc.cluster.local");
    assertThat(gateway.tls().certificate().secretName()).isEqualTo("default");
    assertThat(gateway.metadata().workload()).isEqualTo("reviews-v1");
    assertThat(remote.outlier().consecutive5xx()).isEqualTo(3);
    assertThat(config.clusters().get(SNI).localities().get(0).hosts()).extracting(HostConfig::tls)
        .containsOnlyNulls();
    RouteTable routes = ((HttpTarget) config.listeners().get("0.0.0.0_15001").chains().get(0).target()).routes();
    assertThat(routes.route("ratings:9080", "/x").pickCluster())
        .isEqualTo("outbound|9080||ratings.default.svc.cluster.local");
    assertThat(routes.route("details", "/")).isNull();
  }

  @Test
  void istiosUnlimitedCircuitBreakersStayUnlimited() {
    // Istio (and meshfed's translation) send uint32 4294967295 for "no limit"; read as a signed int it is -1.
    XdsResources base = profile();
    List<Cluster> clusters = new java.util.ArrayList<>(base.clusters());
    clusters.set(0, clusters.get(0).toBuilder().setCircuitBreakers(
        io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder().addThresholds(
            io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(com.google.protobuf.UInt32Value.of(-1))
                .setMaxPendingRequests(com.google.protobuf.UInt32Value.of(-1))
                .setMaxRequests(com.google.protobuf.UInt32Value.of(-1))
                .setMaxRetries(com.google.protobuf.UInt32Value.of(7)))).build());
    XdsResources resources = new XdsResources(base.version(), base.listeners(), base.routes(), clusters,
        base.endpoints(), base.secrets());
    ConfigTranslator.Translation translation = ConfigTranslator.translate(resources);
    assertThat(translation.errors()).isEmpty();
    CircuitBreakerConfig limits = translation.config().clusters().get(SNI).circuitBreakers();
    assertThat(limits.maxConnections()).isEqualTo(Integer.MAX_VALUE);
    assertThat(limits.maxPendingRequests()).isEqualTo(Integer.MAX_VALUE);
    assertThat(limits.maxRequests()).isEqualTo(Integer.MAX_VALUE);
    assertThat(limits.maxRetries()).isEqualTo(7);
  }

  @Test
  void unsupportedNetworkFilterIsRefusedByName() {
    Listener listener = Xds.listener(8443, FilterChain.newBuilder()
        .addFilters(Filter.newBuilder().setName("envoy.filters.network.redis_proxy")
            .setTypedConfig(Any.newBuilder().setTypeUrl(
                "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy")))
        .addFilters(Xds.tcpProxy(SNI)).build());
    assertThat(errors(profile(listener))).containsExactly("listener 0.0.0.0_8443: filter_chains[0].filters[0]: "
        + "envoy.filters.network.redis_proxy (type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3"
        + ".RedisProxy) (unsupported by the meshfed east-west gateway (docs/xds-profile.md))");
  }

  @Test
  void fieldOutsideTheProfileIsRefused() {
    Listener listener = Xds.listener(8443, Xds.passthrough(SNI)).toBuilder()
        .setUseOriginalDst(BoolValue.of(true)).build();
    assertThat(errors(profile(listener))).containsExactly("listener 0.0.0.0_8443: use_original_dst: unsupported by"
        + " the meshfed east-west gateway (docs/xds-profile.md)");
  }

  @Test
  void endpointNamesAreRefusedBecauseTheGatewayDoesNotResolve() {
    XdsResources resources = profile();
    ClusterLoadAssignment named = ClusterLoadAssignment.newBuilder().setClusterName(SNI_V2)
        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(
            io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder().setEndpoint(
                io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(Xds.address("reviews.example", 9080))))).build();
    List<ClusterLoadAssignment> endpoints = new java.util.ArrayList<>(resources.endpoints());
    endpoints.add(named);
    assertThat(errors(resources.with("v2", ResourceType.ENDPOINT, endpoints))).containsExactly(
        "cluster load assignment " + SNI_V2 + ": endpoints[0].lb_endpoints[0].endpoint.address.socket_address"
            + ".address: reviews.example (expected: an IP literal; names are not resolved)");
  }

  @Test
  void overlappingFilterChainsAreRefused() {
    Listener listener = Xds.listener(8443, Xds.passthrough(SNI), Xds.passthrough(SNI));
    assertThat(errors(profile(listener))).singleElement().asString()
        .startsWith("listener 0.0.0.0_8443: filter_chains[1].filter_chain_match: overlaps filter_chains[0]");
  }

  @Test
  void sniMatchingWithoutTlsInspectorIsRefused() {
    Listener listener = Xds.listener(8443, Xds.passthrough(SNI)).toBuilder().clearListenerFilters().build();
    assertThat(errors(profile(listener))).singleElement().asString()
        .contains("matches on the ClientHello without the listener filter envoy.filters.listener.tls_inspector");
  }

  @Test
  void badKeyIsRefusedWithoutQuotingIt() {
    String secretText = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";
    Secret broken = Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString(
            mesh.issue("spiffe://cluster.local/ns/istio-system/sa/eastwest").chainPem()))
        .setPrivateKey(DataSource.newBuilder().setInlineString(secretText))).build();
    XdsResources resources = profile().with("v2", ResourceType.SECRET, List.of(broken, secrets.get(1)));
    List<String> errors = errors(resources);
    assertThat(errors).singleElement().asString().startsWith("secret default: tls_certificate.private_key: ");
    assertThat(String.join("", errors)).doesNotContain("c2VjcmV0");
  }

  @Test
  void dnsClustersAreRefused() {
    Cluster dns = Xds.eds("outbound|443||api.example.com").toBuilder().setType(Cluster.DiscoveryType.STRICT_DNS)
        .clearEdsClusterConfig().build();
    XdsResources resources = profile();
    List<Cluster> clusters = new java.util.ArrayList<>(resources.clusters());
    clusters.add(dns);
    assertThat(errors(resources.with("v2", ResourceType.CLUSTER, clusters))).containsExactly(
        "cluster outbound|443||api.example.com: type: STRICT_DNS (expected: EDS or STATIC; DNS resolution is"
            + " unsupported by the meshfed east-west gateway (docs/xds-profile.md))");
  }

  @Test
  void httpOnlyRbacRulesAreRefusedOnTheNetworkFilter() {
    Filter headerRule = Xds.filter("envoy.filters.network.rbac",
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder().setStatPrefix("tcp.")
            .setRules(RBAC.newBuilder().setAction(RBAC.Action.ALLOW).putPolicies("p", Policy.newBuilder()
                .addPermissions(Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName(":method")))
                .addPrincipals(Principal.newBuilder().setAny(true)).build()))
            .build());
    Listener listener = Xds.listener(8443, Xds.terminate(SNI, DOMAINS, List.of(headerRule), Xds.tcpProxy(SNI)));
    assertThat(errors(profile(listener))).singleElement().asString().isEqualTo("listener 0.0.0.0_8443:"
        + " filter_chains[0].filters[0].typed_config.rules.policies[p].permissions[0]: header (unsupported by the"
        + " meshfed east-west gateway (docs/xds-profile.md); a connection-level RBAC rule cannot see it)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Listener first = Xds.listener(8443, Xds.passthrough(SNI)).toBuilder().setUseOriginalDst(BoolValue.of(true))
        .build();
    Listener second = Xds.listener(8444, FilterChain.newBuilder().build());
    assertThat(errors(profile(first, second))).hasSize(2);
  }

  @Test
  void missingSecretWarmsTheChainInsteadOfRefusing() {
    XdsResources resources = profile().with("v2", ResourceType.SECRET, List.of());
    ConfigTranslator.Translation translation = ConfigTranslator.translate(resources);
    assertThat(translation.errors()).isEmpty();
    assertThat(translation.config().warming()).contains(
        "listener 0.0.0.0_15443 filter_chains[2] waits for Secret default, Secret ROOTCA",
        "cluster outbound|9080||ratings.default.svc.cluster.local waits for Secret default, Secret ROOTCA");
    assertThat(translation.config().listeners().get("0.0.0.0_15443").chains().get(2).ready()).isFalse();
  }

  @Test
  void modesFollowTheChain() {
    GatewayConfig config = ConfigTranslator.translate(profile()).config();
    var inbound = config.listeners().get("0.0.0.0_15443").chains();
    assertThat(inbound.get(0).terminatesTls()).isFalse();
    assertThat(inbound.get(0).target()).isInstanceOf(TcpProxyTarget.class);
    var outbound = config.listeners().get("0.0.0.0_15001").chains();
    assertThat(outbound.get(0).match().transportProtocol()).isEqualTo("raw_buffer");
    assertThat(outbound.get(0).target()).isInstanceOf(HttpTarget.class);
  }
}
