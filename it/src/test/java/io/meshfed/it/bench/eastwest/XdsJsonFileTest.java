package io.meshfed.it.bench.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshfed.gateway.eastwest.ApplyResult;
import io.meshfed.gateway.eastwest.EastWestGateway;
import io.meshfed.gateway.eastwest.XdsResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static xDS file the benchmark starts the gateway from round-trips and is accepted by the gateway. */
class XdsJsonFileTest {

  @Test
  void writtenResourcesReadBackAndApply(@TempDir Path directory) throws Exception {
    String sni = "outbound_.9080_._.reviews.default.svc.cluster.local";
    Listener listener = Listener.newBuilder().setName("bench_passthrough")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.1.1")
            .setPortValue(0)))
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
            .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())))
        .addFilterChains(FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(sni).addApplicationProtocols("istio"))
            .addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
                .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix(sni).setCluster(sni).build()))))
        .build();
    Cluster cluster = Cluster.newBuilder().setName(sni).setType(Cluster.DiscoveryType.STATIC).build();
    Path file = directory.resolve("resources.json");
    XdsJsonFile.write(file, "v7", List.of(listener, cluster));
    assertThat(Files.readString(file)).contains("\"@type\": \"type.googleapis.com/envoy.config.listener.v3.Listener\"");

    XdsResources read = XdsJsonFile.read(file);
    assertThat(read.version()).isEqualTo("v7");
    assertThat(read.listeners()).containsExactly(listener);
    assertThat(read.clusters()).containsExactly(cluster);

    EastWestGateway gateway = EastWestGateway.builder().eventLoops(1).build();
    try {
      ApplyResult result = gateway.apply(read).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(result.accepted()).as(result.errorDetail()).isTrue();
      assertThat(gateway.boundAddress("bench_passthrough")).isPresent();
    } finally {
      gateway.close();
    }
  }
}
