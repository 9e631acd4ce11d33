package io.meshfed.gateway.l7.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.routing.RouteAction.Forward;
import io.meshfed.gateway.l7.testing.Xds;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigCompilerTest {

  private static XdsResources base() {
    return XdsResources.builder()
        .listener(Xds.httpListener("0.0.0.0_8080", "http.8080"))
        .route(Xds.catchAll("http.8080", "outbound|9080||reviews.default.svc.cluster.local"))
        .cluster(Xds.edsCluster("outbound|9080||reviews.default.svc.cluster.local").build())
        .endpoints(Xds.assignment("outbound|9080||reviews.default.svc.cluster.local",
            Xds.endpoint("10.0.0.1", 9080), Xds.endpoint("10.0.0.2", 9080)))
        .build();
  }

  @Test
  void compilesTheProfileIntoASnapshot() {
    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS, base(),
        EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).isEmpty();
    EngineSnapshot snapshot = compilation.snapshot();
    assertThat(snapshot.version()).isEqualTo(1);
    assertThat(snapshot.listeners().get("0.0.0.0_8080").chains()).hasSize(1);
    assertThat(snapshot.listeners().get("0.0.0.0_8080").chains().get(0).http().routeConfigName())
        .isEqualTo("http.8080");
    ClusterSpec cluster = snapshot.clusters().get("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(cluster.discovery()).isEqualTo(ClusterSpec.Discovery.EDS);
    assertThat(snapshot.endpointsOf(cluster).size()).isEqualTo(2);
    Forward forward = (Forward) snapshot.routeTables().get("http.8080").virtualHosts().get(0).routes().get(0)
        .action();
    assertThat(forward.timeout()).as("0s means no timeout").isNull();
  }

  @Test
  void refusesAnUnsupportedNetworkFilterNamingResourceFieldAndReason() {
    Listener redis = Listener.newBuilder().setName("0.0.0.0_6379").setAddress(Xds.address("0.0.0.0", 6379))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.redis_proxy")
            .setTypedConfig(Any.pack(Empty.getDefaultInstance())))).build();

    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS,
        base().toBuilder().listener(redis).build(), EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).extracting(ConfigError::toString).contains(
        "listener 0.0.0.0_6379: filter_chains[0].filters[0]: envoy.filters.network.redis_proxy "
            + "(unsupported by the meshfed ingress gateway)");
    assertThat(compilation.snapshot().listeners()).containsOnlyKeys("0.0.0.0_8080");
  }

  @Test
  void refusesFieldsOutsideTheProfile() {
    Cluster withSubsets = Xds.edsCluster("c").setLbSubsetConfig(Cluster.LbSubsetConfig.newBuilder()
        .setFallbackPolicy(Cluster.LbSubsetConfig.LbSubsetFallbackPolicy.ANY_ENDPOINT)).build();

    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.EGRESS,
        XdsResources.builder().cluster(withSubsets).build(), EngineSnapshot.empty(Role.EGRESS));

    assertThat(compilation.errors()).singleElement().extracting(ConfigError::toString)
        .isEqualTo("cluster c: lb_subset_config: field lb_subset_config (unsupported by the meshfed egress gateway)");
  }

  @Test
  void readsTracingSamplingAndRefusesWhatItCannotHonour() {
    var tracing = io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
        .Tracing.newBuilder().setRandomSampling(io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(250))
        .setVerbose(true);
    Listener listener = Xds.httpListener("0.0.0.0_8080", Xds.hcm("http.8080").setTracing(tracing).build());

    ConfigCompiler.Compilation refused = ConfigCompiler.compile(Role.INGRESS,
        base().toBuilder().listener(listener).build(), EngineSnapshot.empty(Role.INGRESS));
    ConfigCompiler.Compilation accepted = ConfigCompiler.compile(Role.INGRESS, base(),
        EngineSnapshot.empty(Role.INGRESS));

    assertThat(refused.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
        "listener 0.0.0.0_8080: filter_chains[0].filters[0].typed_config.tracing.verbose: field verbose "
            + "(unsupported by the meshfed ingress gateway)",
        "listener 0.0.0.0_8080: filter_chains[0].filters[0].typed_config.tracing.random_sampling.value: 250.0 "
            + "(expected: 0 to 100)");
    assertThat(accepted.snapshot().listeners().get("0.0.0.0_8080").chains().get(0).http().tracing()
        .randomSamplingPercent()).isEqualTo(1.0);
  }

  @Test
  void refusesAnInvalidRegexWithItsPath() {
    Route bad = Route.newBuilder().setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder()
        .setRegex("/reviews/(["))).setRoute(RouteAction.newBuilder().setCluster("c")).build();

    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS, XdsResources.builder()
        .route(Xds.routes("http.80", Xds.vhost("v", List.of("*"), bad))).build(), EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).singleElement().satisfies(error -> {
      assertThat(error.kind()).isEqualTo(ConfigError.Kind.ROUTE_CONFIGURATION);
      assertThat(error.resource()).isEqualTo("http.80");
      assertThat(error.field()).isEqualTo("virtual_hosts[0].routes[0].match.safe_regex.regex");
      assertThat(error.reason()).contains("invalid regex /reviews/([").contains("expected: RE2 syntax");
    });
  }

  @Test
  void keepsTheLastGoodVersionOfARefusedResource() {
    EngineSnapshot first = ConfigCompiler.compile(Role.INGRESS, base(), EngineSnapshot.empty(Role.INGRESS))
        .snapshot();
    Route zeroWeights = Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(RouteAction.newBuilder()
        .setWeightedClusters(WeightedCluster.newBuilder().addClusters(WeightedCluster.ClusterWeight.newBuilder()
            .setName("a").setWeight(Xds.u32(0))))).build();

    ConfigCompiler.Compilation second = ConfigCompiler.compile(Role.INGRESS, base().toBuilder()
        .route(Xds.routes("http.8080", Xds.vhost("v", List.of("*"), zeroWeights))).build(), first);

    assertThat(second.errors()).singleElement().extracting(ConfigError::field)
        .isEqualTo("virtual_hosts[0].routes[0].route.weighted_clusters");
    assertThat(second.snapshot().routeTables().get("http.8080"))
        .as("the last accepted route configuration keeps serving")
        .isSameAs(first.routeTables().get("http.8080"));
    assertThat(second.snapshot().version()).isEqualTo(2);
  }

  @Test
  void dropsResourcesTheUpdateNoLongerLists() {
    EngineSnapshot first = ConfigCompiler.compile(Role.INGRESS, base(), EngineSnapshot.empty(Role.INGRESS))
        .snapshot();

    EngineSnapshot second = ConfigCompiler.compile(Role.INGRESS, base().toBuilder()
        .removeCluster("outbound|9080||reviews.default.svc.cluster.local").build(), first).snapshot();

    assertThat(second.clusters()).isEmpty();
  }

  @Test
  void refusesDuplicateDomainsAcrossVirtualHosts() {
    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS, XdsResources.builder()
        .route(Xds.routes("r", Xds.vhost("a", List.of("bookinfo.com"), Xds.route(Xds.prefix("/"), "x")),
            Xds.vhost("b", List.of("BOOKINFO.com"), Xds.route(Xds.prefix("/"), "y")))).build(),
        EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).singleElement().extracting(ConfigError::reason).asString()
        .contains("domain bookinfo.com is listed by two virtual hosts");
  }

  @Test
  void refusesAnHttpConnectionManagerWithoutRouterLast() {
    var hcm = Xds.hcm("r").clearHttpFilters().build();
    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS, XdsResources.builder()
        .listener(Xds.httpListener("l", hcm)).build(), EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).extracting(ConfigError::field)
        .contains("filter_chains[0].filters[0].typed_config.http_filters");
  }

  @Test
  void refusesAHostNameEndpointInAnEdsAssignment() {
    ConfigCompiler.Compilation compilation = ConfigCompiler.compile(Role.INGRESS, XdsResources.builder()
        .endpoints(Xds.assignment("c", Xds.endpoint("reviews.example.com", 80))).build(),
        EngineSnapshot.empty(Role.INGRESS));

    assertThat(compilation.errors()).singleElement().extracting(ConfigError::reason).asString()
        .contains("host names need a STRICT_DNS or LOGICAL_DNS cluster");
  }

  @Test
  void nackMessagesAreGroupedByType() {
    ApplyResult result = new ApplyResult(3, List.of(
        new ConfigError(ConfigError.Kind.CLUSTER, "a", "type", "bad"),
        new ConfigError(ConfigError.Kind.LISTENER, "l", "", "worse")));

    assertThat(result.refused(ConfigError.Kind.CLUSTER)).isTrue();
    assertThat(result.refused(ConfigError.Kind.SECRET)).isFalse();
    assertThat(result.nackMessage(ConfigError.Kind.LISTENER)).isEqualTo("listener l: worse");
  }
}
