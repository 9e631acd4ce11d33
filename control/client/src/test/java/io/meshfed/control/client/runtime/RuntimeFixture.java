package io.meshfed.control.client.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Shared pieces of the runtime tests: a config snapshot, an HTTP client, waiting. */
final class RuntimeFixture {

  static final String CLUSTER = "outbound|9080||reviews.default.svc.cluster.local";
  static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----";
  static final Instant ACCEPTED_AT = Instant.parse("2026-01-02T03:04:05Z");
  static final GatewayIdentity INGRESS = new GatewayIdentity("meshfed-ingressgateway", "meshfed-system", "east",
      "ingress");

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RuntimeFixture() {
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static GatewayRuntime.Builder runtime(Vertx vertx) {
    return GatewayRuntime.builder(vertx, INGRESS).bindHost("127.0.0.1").healthPort(0).metricsPort(0).adminPort(0);
  }

  static AcceptedConfig config() {
    Listener listener = Listener.newBuilder().setName("0.0.0.0_8080")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
            .setAddress("0.0.0.0").setPortValue(8080)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(HttpConnectionManager.newBuilder().setStatPrefix("outbound_0.0.0.0_8080")
                .setRds(Rds.newBuilder().setRouteConfigName("http.8080").setConfigSource(ConfigSource.newBuilder()
                    .setAds(AggregatedConfigSource.getDefaultInstance())))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
                .build()))))
        .build();
    Cluster cluster = Cluster.newBuilder().setName(CLUSTER).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
            .setMaxConnections(UInt32Value.of(100)).setMaxPendingRequests(UInt32Value.of(10))))
        .build();
    ClusterLoadAssignment endpoints = ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
        .addEndpoints(LocalityLbEndpoints.newBuilder()
            .setLocality(Locality.newBuilder().setRegion("us-east1").setZone("us-east1-b"))
            .addLbEndpoints(endpoint("10.0.0.1", HealthStatus.HEALTHY))
            .addLbEndpoints(endpoint("10.0.0.2", HealthStatus.UNHEALTHY))
            .addLbEndpoints(endpoint("10.0.0.3", HealthStatus.DRAINING)))
        .build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("http.8080")
        .addVirtualHosts(VirtualHost.newBuilder().setName("bookinfo.example.com:8080")
            .addDomains("bookinfo.example.com").addDomains("bookinfo.example.com:8080")
            .addRoutes(Route.newBuilder().setName("reviews-route")
                .setMatch(RouteMatch.newBuilder().setPrefix("/reviews"))
                .setRoute(RouteAction.newBuilder().setCluster(CLUSTER))))
        .build();
    Secret secret = Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----\nCHAIN\n"))
        .setPrivateKey(DataSource.newBuilder().setInlineString(PRIVATE_KEY)))
        .build();
    return new AcceptedConfig(List.of(
        new XdsResource(XdsResource.LISTENER_TYPE, listener.getName(), "v7", listener, ACCEPTED_AT),
        new XdsResource(XdsResource.CLUSTER_TYPE, cluster.getName(), "v7", Any.pack(cluster), ACCEPTED_AT),
        new XdsResource(XdsResource.ENDPOINT_TYPE, CLUSTER, "v8", endpoints, ACCEPTED_AT.plusSeconds(1)),
        new XdsResource(XdsResource.ROUTE_TYPE, routes.getName(), "v7", routes, ACCEPTED_AT),
        new XdsResource(XdsResource.SECRET_TYPE, "default", "v1", secret, ACCEPTED_AT)),
        List.of(new RejectedUpdate(XdsResource.LISTENER_TYPE, "0.0.0.0_9090", "v9",
            "listener 0.0.0.0_9090: filter_chains[0].filters[0]: envoy.filters.network.redis_proxy (unsupported by "
                + "the meshfed ingress gateway)", ACCEPTED_AT.plusSeconds(60))));
  }

  private static LbEndpoint endpoint(String ip, HealthStatus health) {
    return LbEndpoint.newBuilder().setHealthStatus(health)
        .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(9080))))
        .build();
  }
}
