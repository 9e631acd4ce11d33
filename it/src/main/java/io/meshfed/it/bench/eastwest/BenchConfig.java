package io.meshfed.it.bench.eastwest;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the benchmark's static xDS file, in the profile's shape: {@code bench_passthrough} (tls_inspector, one
 * AUTO_PASSTHROUGH chain per SNI) and {@code bench_terminate} (mTLS with the SDS secrets {@code default} and
 * {@code ROOTCA}, SPIFFE trust-domain check, tcp_proxy to a plaintext backend).
 *
 * <p>Usage: {@code BenchConfig <out.json> <passthrough ip:port> <terminate ip:port> <trust domain> <chain.pem>
 * <key.pem> <root.pem> <terminate sni>=<ip:port> <passthrough sni>=<ip:port>...}
 */
public final class BenchConfig {

  static final List<String> ISTIO_ALPNS = List.of("istio-peer-exchange", "istio", "istio-http/1.0",
      "istio-http/1.1", "istio-h2");

  private BenchConfig() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 9) {
      System.err.println("usage: BenchConfig <out.json> <passthrough ip:port> <terminate ip:port> <trust domain>"
          + " <chain.pem> <key.pem> <root.pem> <terminate sni>=<ip:port> <passthrough sni>=<ip:port>...");
      System.exit(2);
    }
    List<Message> resources = new ArrayList<>();
    Listener.Builder passthrough = Listener.newBuilder().setName("bench_passthrough").setAddress(address(args[1]))
        .addListenerFilters(tlsInspector());
    for (int i = 8; i < args.length; i++) {
      String[] route = args[i].split("=", 2);
      passthrough.addFilterChains(FilterChain.newBuilder()
          .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(route[0])
              .addAllApplicationProtocols(ISTIO_ALPNS))
          .addFilters(tcpProxy(route[0])));
      resources.add(cluster(route[0], route[1]));
    }
    resources.add(passthrough.build());

    String[] terminateRoute = args[7].split("=", 2);
    CommonTlsContext common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(sds("default"))
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(CertificateValidationContext.newBuilder().addMatchTypedSubjectAltNames(
                SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(StringMatcher.newBuilder().setPrefix("spiffe://" + args[3] + "/"))))
            .setValidationContextSdsSecretConfig(sds("ROOTCA")))
        .addAllAlpnProtocols(List.of("istio-peer-exchange", "istio", "h2", "http/1.1"))
        .build();
    resources.add(Listener.newBuilder().setName("bench_terminate").setAddress(address(args[2]))
        .addListenerFilters(tlsInspector())
        .addFilterChains(FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(terminateRoute[0])
                .addAllApplicationProtocols(ISTIO_ALPNS))
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder()
                    .setRequireClientCertificate(BoolValue.of(true)).setCommonTlsContext(common).build())))
            .addFilters(tcpProxy(terminateRoute[0])))
        .build());
    resources.add(cluster(terminateRoute[0], terminateRoute[1]));
    resources.add(Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString(Files.readString(Path.of(args[4]))))
        .setPrivateKey(DataSource.newBuilder().setInlineString(Files.readString(Path.of(args[5]))))).build());
    resources.add(Secret.newBuilder().setName("ROOTCA").setValidationContext(CertificateValidationContext
        .newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString(Files.readString(Path.of(args[6])))))
        .build());
    XdsJsonFile.write(Path.of(args[0]), "bench-1", resources);
  }

  private static Address address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
        .setAddress(hostPort.substring(0, colon)).setPortValue(Integer.parseInt(hostPort.substring(colon + 1))))
        .build();
  }

  private static ListenerFilter tlsInspector() {
    return ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
        .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())).build();
  }

  private static Filter tcpProxy(String cluster) {
    return Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
        .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build())).build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name)
        .setSdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())).build();
  }

  private static Cluster cluster(String name, String backend) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name)
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(address(backend))))))
        .build();
  }
}
