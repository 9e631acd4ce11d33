package io.meshfed.control.plane.translate.listeners;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.meshfed.control.plane.translate.clusters.UpstreamTls;
import io.meshfed.control.plane.translate.model.Names;
import io.meshfed.control.plane.xds.TypedAny;
import java.util.List;

/** Small pure builders for listeners and their parts. */
public final class ListenerParts {

  public static final String HCM = "envoy.filters.network.http_connection_manager";
  public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  public static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  public static final String ROUTER = "envoy.filters.http.router";
  public static final String FAULT = "envoy.filters.http.fault";
  public static final String CORS = "envoy.filters.http.cors";
  /** ALPNs a :15443 chain matches: Istio's mTLS ALPNs (docs/xds-profile.md). */
  public static final List<String> ISTIO_PEER_ALPN = List.of("istio-peer-exchange", "istio", "istio-http/1.0",
      "istio-http/1.1", "istio-h2");
  /** ALPN a terminating HTTPS server offers (Istio's gateways: h2 and HTTP/1.1). */
  public static final List<String> HTTPS_ALPN = List.of("h2", "http/1.1");

  // Immutable protos: shared by every listener that uses them.
  private static final ListenerFilter TLS_INSPECTOR_FILTER = ListenerFilter.newBuilder().setName(TLS_INSPECTOR)
      .setTypedConfig(TypedAny.pack(TlsInspector.getDefaultInstance())).build();
  private static final HttpFilter ROUTER_FILTER = HttpFilter.newBuilder().setName(ROUTER)
      .setTypedConfig(TypedAny.pack(Router.getDefaultInstance())).build();
  private static final HttpFilter FAULT_FILTER = HttpFilter.newBuilder().setName(FAULT)
      .setTypedConfig(TypedAny.pack(HTTPFault.getDefaultInstance())).build();
  private static final HttpFilter CORS_FILTER = HttpFilter.newBuilder().setName(CORS)
      .setTypedConfig(TypedAny.pack(Cors.getDefaultInstance())).build();
  private static final ByteString HCM_TYPE = TypedAny.typeUrl(HttpConnectionManager.getDescriptor());
  private static final ByteString TCP_PROXY_TYPE = TypedAny.typeUrl(TcpProxy.getDescriptor());
  private static final ByteString DOWNSTREAM_TLS_TYPE = TypedAny.typeUrl(DownstreamTlsContext.getDescriptor());

  private ListenerParts() {
  }

  /** {@code 0.0.0.0_<port>} on all addresses. */
  public static Listener.Builder listener(int port) {
    return Listener.newBuilder().setName(Names.listener(port)).setAddress(Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(port)));
  }

  public static ListenerFilter tlsInspector() {
    return TLS_INSPECTOR_FILTER;
  }

  /** An HTTP connection manager taking its routes by RDS over ADS. */
  public static HttpConnectionManager hcm(String statPrefix, String routeName, List<HttpFilter> filters,
      boolean useRemoteAddress) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(UpstreamTls.ads()))
        .addAllHttpFilters(filters);
    if (useRemoteAddress) {
      hcm.setUseRemoteAddress(BoolValue.of(true));
    }
    return hcm.build();
  }

  public static Filter hcmFilter(HttpConnectionManager hcm) {
    return Filter.newBuilder().setName(HCM).setTypedConfig(TypedAny.pack(HCM_TYPE, hcm)).build();
  }

  /** A listener proxyless gRPC reads: named by the target authority, no address. */
  public static Listener apiListener(String name, HttpConnectionManager hcm) {
    return Listener.newBuilder().setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(TypedAny.pack(HCM_TYPE, hcm))).build();
  }

  public static HttpFilter router() {
    return ROUTER_FILTER;
  }

  /** The fault filter without defaults: routes carry their faults in {@code typed_per_filter_config}. */
  public static HttpFilter fault() {
    return FAULT_FILTER;
  }

  public static HttpFilter cors() {
    return CORS_FILTER;
  }

  public static Filter tcpProxy(String statPrefix, String cluster) {
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(TypedAny.pack(TCP_PROXY_TYPE, TcpProxy.newBuilder()
        .setStatPrefix(statPrefix).setCluster(cluster).build())).build();
  }

  public static TransportSocket downstreamTls(DownstreamTlsContext context) {
    return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
        .setTypedConfig(TypedAny.pack(DOWNSTREAM_TLS_TYPE, context)).build();
  }

  /** Istio mTLS termination: the SVID, client certificates required and verified against ROOTCA + trust domains. */
  public static DownstreamTlsContext istioMutual(List<String> trustDomains, List<String> alpn) {
    CommonTlsContext common = UpstreamTls.istioCommon(trustDomains, alpn);
    return DownstreamTlsContext.newBuilder().setRequireClientCertificate(BoolValue.of(true))
        .setCommonTlsContext(common).build();
  }

  /** A filter chain with the given filters. */
  public static FilterChain.Builder chain(String name, List<Filter> filters) {
    return FilterChain.newBuilder().setName(name).addAllFilters(filters);
  }
}
