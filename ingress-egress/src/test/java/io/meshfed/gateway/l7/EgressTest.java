package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.TestPki;
import io.meshfed.gateway.l7.testing.TlsPeer;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The egress role: REGISTRY_ONLY blocking, DNS ServiceEntry clusters, and SNI passthrough for TLS egress. */
class EgressTest extends EngineTestBase {

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.role(Role.EGRESS);
  }

  @Test
  void blocksUnregisteredHostsWith502AndFlagNrUnderRegistryOnly() throws Exception {
    Backend registered = backend("httpbin");
    Route blocked = Route.newBuilder().setMatch(Xds.prefix("/")).setDirectResponse(DirectResponseAction
        .newBuilder().setStatus(502)).build();
    apply(XdsResources.builder().listener(Xds.httpListener("0.0.0.0_8080", "http.8080"))
        .route(Xds.routes("http.8080",
            Xds.vhost("httpbin.org:80", List.of("httpbin.org", "httpbin.org:80"),
                Xds.route(Xds.prefix("/"), "outbound|80||httpbin.org")),
            Xds.vhost("block_all", List.of("*"), blocked)))
        .cluster(Xds.staticCluster("outbound|80||httpbin.org", "127.0.0.1", registered.port())).build());
    int port = port("0.0.0.0_8080");

    assertThat(http.get(port, "httpbin.org", "/get").status()).isEqualTo(200);
    Http.Response response = http.get(port, "www.google.com", "/");
    assertThat(response.status()).isEqualTo(502);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("NR");
    assertThat(outcomes.nth(2).responseFlags()).isEqualTo("NR");
    assertThat(outcomes.nth(2).responseCodeDetails()).isEqualTo("registry_only_blocked");
  }

  @Test
  void resolvesDnsServiceEntries() throws Exception {
    Backend service = backend("dns");
    Cluster dns = Xds.staticCluster("outbound|80||localhost", "localhost", service.port()).toBuilder()
        .setType(Cluster.DiscoveryType.STRICT_DNS).setDnsRefreshRate(Xds.seconds(30)).build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.catchAll("r", "outbound|80||localhost")).cluster(dns).build());

    assertThat(http.get(port("l"), "localhost", "/").json().getString("backend")).isEqualTo("dns");
  }

  @Test
  void passesTlsThroughBySniWithoutTerminatingIt() throws Exception {
    TestPki external = new TestPki("external");
    TlsPeer api = closeLater(new TlsPeer("127.0.3.2", external.leaf("api", List.of("api.example.com"), List.of()),
        null, List.of()));
    Listener passthrough = Listener.newBuilder().setName("0.0.0.0_443").setAddress(Xds.address("127.0.0.1", 0))
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
            .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())))
        .addFilterChains(FilterChain.newBuilder()
            .setFilterChainMatch(io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                .addServerNames("api.example.com"))
            .addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(
                TcpProxy.newBuilder().setStatPrefix("outbound|443||api.example.com")
                    .setCluster("outbound|443||api.example.com").build()))))
        .build();
    apply(XdsResources.builder().listener(passthrough)
        .cluster(Xds.staticCluster("outbound|443||api.example.com", "127.0.3.2", api.port())).build());
    int port = port("0.0.0.0_443");
    var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setForceSni(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(external.caPem()))));

    JsonObject seen = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("api.example.com")
            .setPort(443).setURI("/status"))
        .compose(request -> request.send().compose(response -> response.body().map(Buffer::toJsonObject))));

    // The client's TLS session ends at the external service: it saw the client's own SNI and request.
    assertThat(seen.getString("sni")).isEqualTo("api.example.com");
    assertThat(seen.getString("uri")).isEqualTo("/status");
    Await.result(client.close());
    io.meshfed.gateway.l7.testing.Await.until("the passthrough connection outcome", java.time.Duration.ofSeconds(5),
        () -> !outcomes.connections.isEmpty());
    assertThat(outcomes.connections.get(0).requestedServerName()).isEqualTo("api.example.com");
    assertThat(outcomes.connections.get(0).bytesReceived()).isPositive();
  }
}
