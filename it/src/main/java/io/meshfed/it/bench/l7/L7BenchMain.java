package io.meshfed.it.bench.l7;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
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
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.meshfed.control.client.gateway.IoTransport;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.config.ApplyResult;
import io.meshfed.gateway.l7.config.XdsResources;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the L7 engine standalone for the benchmark ({@code it/bench/l7.sh}), fed a static xDS snapshot: one plaintext
 * HTTP listener and, optionally, one HTTPS listener (TLS 1.3 only, the given certificate, no session resumption so
 * every connection is a full handshake), both routing every request to one backend. The connection manager has no
 * {@code tracing}, so like nginx and HAProxy configured for the same route the engine adds no trace headers (the
 * control plane's gateways trace at Istio's 1 %). It is the engine {@code meshfed gateway --role ingress} runs,
 * without a control plane: the benchmark's peers have none either.
 *
 * <p>Usage: {@code L7BenchMain --http 127.0.0.1:18080 --backend 127.0.0.1:18000 [--https 127.0.0.1:18443 --cert
 * c.pem --key k.pem] [--workers 1] [--transport auto|epoll|nio]}
 */
public final class L7BenchMain {

  private L7BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    String http = null;
    String https = null;
    String backend = null;
    String cert = null;
    String key = null;
    int workers = 1;
    IoTransport transport = IoTransport.AUTO;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--http" -> http = args[i + 1];
        case "--https" -> https = args[i + 1];
        case "--backend" -> backend = args[i + 1];
        case "--cert" -> cert = args[i + 1];
        case "--key" -> key = args[i + 1];
        case "--workers" -> workers = Integer.parseInt(args[i + 1]);
        case "--transport" -> transport = IoTransport.fromSetting(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i] + ": unknown option (expected: --http, --https, "
            + "--backend, --cert, --key, --workers, --transport)");
      }
    }
    if (http == null || backend == null) {
      throw new IllegalArgumentException("--http and --backend are required");
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2));
    L7Engine engine = L7Engine.builder(vertx).role(Role.INGRESS).workers(workers).tlsSessionResumption(false)
        .transport(transport).build();
    XdsResources.Builder resources = XdsResources.builder()
        .listener(listener("http", http, null))
        .route(routes())
        .cluster(cluster(backend));
    if (https != null) {
      resources.listener(listener("https", https, tls(Files.readString(Path.of(cert)),
          Files.readString(Path.of(key)))));
    }
    ApplyResult result = engine.apply(resources.build()).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    if (!result.accepted()) {
      throw new IllegalStateException("configuration refused: " + result.errors());
    }
    System.out.println("READY http=" + engine.port("http") + (https == null ? "" : " https=" + engine.port("https"))
        + " transport=" + engine.transportName());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }

  private static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  private static Address address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
        .setAddress(hostPort.substring(0, colon)).setPortValue(Integer.parseInt(hostPort.substring(colon + 1))))
        .build();
  }

  private static Listener listener(String name, String hostPort, DownstreamTlsContext tls) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix(name)
        .setUseRemoteAddress(BoolValue.of(true))
        .setRds(Rds.newBuilder().setRouteConfigName("bench").setConfigSource(ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    FilterChain.Builder chain = FilterChain.newBuilder().addFilters(Filter.newBuilder()
        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm)));
    if (tls != null) {
      chain.setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
          .setTypedConfig(Any.pack(tls)));
    }
    return Listener.newBuilder().setName(name).setAddress(address(hostPort)).addFilterChains(chain).build();
  }

  private static DownstreamTlsContext tls(String chainPem, String keyPem) {
    return DownstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(chainPem)))
            .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(keyPem))))
        .setTlsParams(TlsParameters.newBuilder()
            .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
            .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3))
        .addAlpnProtocols("http/1.1")).build();
  }

  private static RouteConfiguration routes() {
    return RouteConfiguration.newBuilder().setName("bench").addVirtualHosts(VirtualHost.newBuilder()
        .setName("bench").addDomains("*").addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster("backend")
                // Istio's default: no route timeout.
                .setTimeout(com.google.protobuf.Duration.getDefaultInstance()))))
        .build();
  }

  private static Cluster cluster(String hostPort) {
    return Cluster.newBuilder().setName("backend").setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(2))
        .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
            .setMaxConnections(com.google.protobuf.UInt32Value.of(10_000))
            .setMaxPendingRequests(com.google.protobuf.UInt32Value.of(10_000))
            .setMaxRequests(com.google.protobuf.UInt32Value.of(10_000))))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName("backend")
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(address(hostPort))))))
        .build();
  }
}
