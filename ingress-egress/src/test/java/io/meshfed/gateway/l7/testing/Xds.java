package io.meshfed.gateway.l7.testing;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
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
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/**
 * Hand-built Envoy v3 resources following docs/xds-profile.md, as the control plane's translator would send them.
 * The translator is written elsewhere; these builders stand in for it in tests.
 */
public final class Xds {

  private Xds() {
  }

  public static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  public static Duration seconds(double seconds) {
    long whole = (long) seconds;
    return Duration.newBuilder().setSeconds(whole).setNanos((int) Math.round((seconds - whole) * 1e9)).build();
  }

  public static Duration millis(long millis) {
    return Duration.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
  }

  public static Address address(String host, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  public static HttpFilter router() {
    return HttpFilter.newBuilder().setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
  }

  /**
   * An HCM with RDS {@code routeName} and {@code filters} before the router, and tracing at Istio's default 1 %
   * sampling, as the control plane writes a gateway's.
   */
  public static HttpConnectionManager.Builder hcm(String routeName, HttpFilter... filters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_0.0.0.0_8080")
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setUseRemoteAddress(BoolValue.of(true))
        .setTracing(HttpConnectionManager.Tracing.newBuilder().setRandomSampling(
            io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(1.0)))
        .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(ads()));
    for (HttpFilter filter : filters) {
      hcm.addHttpFilters(filter);
    }
    hcm.addHttpFilters(router());
    return hcm;
  }

  public static Filter hcmFilter(HttpConnectionManager hcm) {
    return Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
        .setTypedConfig(Any.pack(hcm)).build();
  }

  /** A plaintext HTTP listener named {@code name} on 127.0.0.1:0. */
  public static Listener httpListener(String name, HttpConnectionManager hcm) {
    return Listener.newBuilder().setName(name).setAddress(address("127.0.0.1", 0))
        .addFilterChains(FilterChain.newBuilder().addFilters(hcmFilter(hcm))).build();
  }

  public static Listener httpListener(String name, String routeName) {
    return httpListener(name, hcm(routeName).build());
  }

  /** A TLS filter chain terminating with SDS secret {@code secret} for {@code serverNames}. */
  public static FilterChain tlsChain(HttpConnectionManager hcm, String secret, List<String> serverNames,
                                     String clientCaSecret) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(ads()))
        .addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
    DownstreamTlsContext.Builder tls = DownstreamTlsContext.newBuilder();
    if (clientCaSecret != null) {
      common.setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName(clientCaSecret)
          .setSdsConfig(ads()));
      tls.setRequireClientCertificate(BoolValue.of(true));
    }
    tls.setCommonTlsContext(common);
    FilterChain.Builder chain = FilterChain.newBuilder().addFilters(hcmFilter(hcm))
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(tls.build())));
    if (!serverNames.isEmpty()) {
      chain.getFilterChainMatchBuilder().addAllServerNames(serverNames);
    }
    return chain.build();
  }

  public static Secret tlsSecret(String name, String chainPem, String keyPem) {
    return Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(chainPem)))
        .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(keyPem)))).build();
  }

  public static Secret caSecret(String name, String caPem) {
    return Secret.newBuilder().setName(name).setValidationContext(
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(caPem)))).build();
  }

  public static RouteMatch prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix).build();
  }

  /** A route from {@code match} to {@code cluster} with no timeout (Istio's default). */
  public static Route route(RouteMatch match, String cluster) {
    return Route.newBuilder().setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(seconds(0))).build();
  }

  public static VirtualHost vhost(String name, List<String> domains, Route... routes) {
    return VirtualHost.newBuilder().setName(name).addAllDomains(domains).addAllRoutes(List.of(routes)).build();
  }

  public static RouteConfiguration routes(String name, VirtualHost... hosts) {
    return RouteConfiguration.newBuilder().setName(name).addAllVirtualHosts(List.of(hosts)).build();
  }

  /** A route configuration sending everything for any host to {@code cluster}. */
  public static RouteConfiguration catchAll(String name, String cluster) {
    return routes(name, vhost("all", List.of("*"), route(prefix("/"), cluster)));
  }

  /** An EDS cluster (endpoints come separately). */
  public static Cluster.Builder edsCluster(String name) {
    Cluster.Builder cluster = Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(seconds(2)).setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    cluster.getEdsClusterConfigBuilder().setEdsConfig(ads());
    return cluster;
  }

  /** A STATIC cluster with endpoints inline. */
  public static Cluster staticCluster(String name, String host, int... ports) {
    ClusterLoadAssignment.Builder assignment = ClusterLoadAssignment.newBuilder().setClusterName(name);
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (int port : ports) {
      locality.addLbEndpoints(endpoint(host, port));
    }
    assignment.addEndpoints(locality);
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(seconds(2)).setLoadAssignment(assignment).build();
  }

  public static LbEndpoint endpoint(String host, int port) {
    return LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address(host, port))).build();
  }

  public static ClusterLoadAssignment assignment(String cluster, LbEndpoint... endpoints) {
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster)
        .addEndpoints(LocalityLbEndpoints.newBuilder().addAllLbEndpoints(List.of(endpoints))).build();
  }

  /** The typed protocol options that make a cluster speak HTTP/2 to its upstreams. */
  public static Any http2Options() {
    HttpProtocolOptions.Builder options = HttpProtocolOptions.newBuilder();
    options.getExplicitHttpConfigBuilder().setHttp2ProtocolOptions(
        io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance());
    return Any.pack(options.build());
  }

  public static HeaderValueOption header(String key, String value, boolean overwrite) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(key).setValue(value))
        .setAppendAction(overwrite ? HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD
            : HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD).build();
  }

  public static Metadata istioTlsMetadata() {
    return Metadata.newBuilder().putFilterMetadata("envoy.transport_socket_match",
        Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue("istio").build()).build())
        .build();
  }

  public static UInt32Value u32(int value) {
    return UInt32Value.of(value);
  }
}
