package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * meshfed's ADS server: Envoy's {@code envoy.service.discovery.v3.AggregatedDiscoveryService} with both
 * {@code StreamAggregatedResources} (state of the world) and {@code DeltaAggregatedResources} (incremental), on a
 * plaintext listener (Istio's :15010, loopback by default) and an optional mTLS listener (:15012).
 *
 * <pre>{@code
 * XdsServer server = XdsServer.builder(vertx).plaintext("127.0.0.1", 15010).build();
 * server.start().await();
 * server.snapshots().setSnapshot("east/ingress", snapshot);
 * }</pre>
 */
public final class XdsServer {
    private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

    static final ServiceName ADS = ServiceName.create("envoy.service.discovery.v3.AggregatedDiscoveryService");
    static final ServiceMethod<DiscoveryRequest, DiscoveryResponse> SOTW = ServiceMethod.server(ADS,
            "StreamAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DiscoveryRequest.newBuilder()));
    static final ServiceMethod<DeltaDiscoveryRequest, DeltaDiscoveryResponse> DELTA = ServiceMethod.server(ADS,
            "DeltaAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DeltaDiscoveryRequest.newBuilder()));

    private final Vertx vertx;
    private final Context context;
    private final Builder config;
    private final AdsDistributor distributor;
    private final List<HttpServer> listening = new ArrayList<>();
    private int plaintextPort = -1;
    private int mtlsPort = -1;
    private HttpServer mtlsServer;

    private XdsServer(Builder config) {
        this.vertx = config.vertx;
        this.config = config;
        this.context = vertx.getOrCreateContext();
        this.distributor = new AdsDistributor(vertx, context, config.grouping, config.verifier, config.debounce,
                new XdsMetrics(config.registry), config.controlPlaneId);
    }

    /** A builder; nothing binds until {@link #start()}. */
    public static Builder builder(Vertx vertx) {
        return new Builder(vertx);
    }

    /** Binds the listeners; a failed start closes what it already bound. */
    public Future<XdsServer> start() {
        Promise<XdsServer> promise = Promise.promise();
        // Listening from the owner context makes every connection's handlers run on it.
        context.runOnContext(v -> {
            // Requests listing every subscribed name (or initial_resource_versions) outgrow gRPC's 4 MiB habit.
            GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(config.maxRequestSize));
            grpc.callHandler(SOTW, call -> distributor.accept(call, call.connection().isSsl(),
                    DiscoveryRequest::getNode, SotwStream::new));
            grpc.callHandler(DELTA, call -> distributor.accept(call, call.connection().isSsl(),
                    DeltaDiscoveryRequest::getNode, DeltaStream::new));
            config.services.forEach(grpc::addService);
            Future<Void> plain = config.plaintextHost == null ? Future.succeededFuture()
                    : vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
                            .requestHandler(grpc)
                            .listen(config.plaintextPort, config.plaintextHost)
                            .map(s -> {
                                listening.add(s);
                                plaintextPort = s.actualPort();
                                return null;
                            });
            plain.compose(x -> config.mtlsHost == null ? Future.succeededFuture()
                    : vertx.createHttpServer(tlsOptions()).requestHandler(grpc)
                            .listen(config.mtlsPort, config.mtlsHost)
                            .map(s -> {
                                listening.add(s);
                                mtlsServer = s;
                                mtlsPort = s.actualPort();
                                return null;
                            }))
                    .onSuccess(x -> {
                        LOG.info("ADS server listening: plaintext {}:{}, mTLS {}:{}", config.plaintextHost,
                                plaintextPort, config.mtlsHost, mtlsPort);
                        promise.complete(this);
                    })
                    .onFailure(e -> closeListeners().onComplete(c -> promise.fail(e)));
        });
        return promise.future();
    }

    private HttpServerOptions tlsOptions() {
        ServerSSLOptions ssl = config.ssl;
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setClientAuth(ssl.getClientAuth())
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setTrustOptions(ssl.getTrustOptions())
                .setSslHandshakeTimeout(ssl.getSslHandshakeTimeout())
                .setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
        options.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        ssl.getCrlPaths().forEach(options::addCrlPath);
        ssl.getCrlValues().forEach(options::addCrlValue);
        if (config.sslEngine != null) {
            options.setSslEngineOptions(config.sslEngine);
        }
        return options;
    }

    /**
     * Replaces the mTLS listener's certificate and trust (after the control plane's SVID rotated): new handshakes use
     * them, open streams are kept. Completes with false when there is no mTLS listener.
     */
    public Future<Boolean> updateSsl(ServerSSLOptions ssl) {
        HttpServer server = mtlsServer;
        if (server == null) {
            return Future.succeededFuture(false);
        }
        return server.updateSSLOptions(ssl.copy().setClientAuth(config.ssl.getClientAuth()), false);
    }

    /** Ends every stream with UNAVAILABLE and unbinds the listeners. */
    public Future<Void> close() {
        return distributor.shutdown().compose(v -> closeListeners());
    }

    private Future<Void> closeListeners() {
        List<Future<Void>> closing = new ArrayList<>();
        for (HttpServer s : listening) {
            closing.add(s.close());
        }
        listening.clear();
        mtlsServer = null;
        return Future.join(closing).mapEmpty();
    }

    /** Where to put what the gateways get. */
    public SnapshotCache snapshots() {
        return distributor;
    }

    /** Per-gateway sync status for the admin API and {@code meshfed proxy-status}. */
    public ProxyStatusQuery status() {
        return distributor;
    }

    /** The bound plaintext port (useful with port 0), or -1 if disabled or not started. */
    public int plaintextPort() {
        return plaintextPort;
    }

    /** The bound mTLS port, or -1 if disabled or not started. */
    public int mtlsPort() {
        return mtlsPort;
    }

    /** Configures an {@link XdsServer}; setters validate their arguments as they arrive. */
    public static final class Builder {
        private final Vertx vertx;
        private String plaintextHost = "127.0.0.1";
        private int plaintextPort = 15010;
        private String mtlsHost;
        private int mtlsPort;
        private ServerSSLOptions ssl;
        private SSLEngineOptions sslEngine;
        private ClientIdentityVerifier verifier = ClientIdentityVerifier.anyVerifiedChain();
        private NodeGrouping grouping = NodeGrouping.byClusterAndRole();
        private DebounceOptions debounce = DebounceOptions.ISTIO_DEFAULTS;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private String controlPlaneId = "meshfed";
        private long maxRequestSize = 64L * 1024 * 1024;
        private final List<io.vertx.grpc.server.Service> services = new ArrayList<>();

        private Builder(Vertx vertx) {
            this.vertx = Objects.requireNonNull(vertx, "vertx");
        }

        /** The plaintext listener (default {@code 127.0.0.1:15010}; local use only, as Istio's :15010). */
        public Builder plaintext(String host, int port) {
            this.plaintextHost = requireHost("plaintext host", host);
            this.plaintextPort = requirePort("plaintext port", port);
            return this;
        }

        /** No plaintext listener. */
        public Builder withoutPlaintext() {
            this.plaintextHost = null;
            return this;
        }

        /**
         * The mTLS listener (Istio's :15012).
         *
         * @param ssl the server certificate and the trust anchors for client certificates; client authentication
         *     is forced to {@code REQUIRED} whatever {@code ssl} says
         * @param verifier checks that a stream's client certificate may speak for its node
         */
        public Builder mtls(String host, int port, ServerSSLOptions ssl, ClientIdentityVerifier verifier) {
            this.mtlsHost = requireHost("mtls host", host);
            this.mtlsPort = requirePort("mtls port", port);
            Objects.requireNonNull(ssl, "ssl");
            if (ssl.getKeyCertOptions() == null) {
                throw new IllegalArgumentException("ssl.keyCertOptions: null (expected: the server certificate)");
            }
            if (ssl.getTrustOptions() == null) {
                throw new IllegalArgumentException("ssl.trustOptions: null (expected: the trust anchors that "
                        + "verify gateway certificates)");
            }
            this.ssl = ssl.copy().setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /**
         * Lets TLS clients connect without a certificate (client authentication {@code REQUEST} instead of
         * {@code REQUIRED}), for another service on the same port whose callers have none yet: the CA's first CSR,
         * authenticated by a token (Istio's :15012 does the same). ADS streams still need a verified client
         * certificate: one without is refused with {@code PERMISSION_DENIED}. Call after {@link #mtls}.
         */
        public Builder clientCertificateOptional() {
            if (ssl == null) {
                throw new IllegalStateException("clientCertificateOptional: no mTLS listener (expected: mtls(...) "
                        + "first)");
            }
            this.ssl = ssl.copy().setClientAuth(io.vertx.core.http.ClientAuth.REQUEST);
            return this;
        }

        /** Another gRPC service served on the same listeners (e.g. the CA); it can tell TLS calls apart itself. */
        public Builder service(io.vertx.grpc.server.Service service) {
            services.add(Objects.requireNonNull(service, "service"));
            return this;
        }

        /** The TLS engine for the mTLS listener (default: the JDK's; the trust module may pass OpenSSL). */
        public Builder sslEngine(SSLEngineOptions engine) {
            this.sslEngine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** Which snapshot a node gets (default {@link NodeGrouping#byClusterAndRole()}). */
        public Builder grouping(NodeGrouping grouping) {
            this.grouping = Objects.requireNonNull(grouping, "grouping");
            return this;
        }

        /** Push debounce (default Istio's 100 ms / 10 s). */
        public Builder debounce(DebounceOptions debounce) {
            this.debounce = Objects.requireNonNull(debounce, "debounce");
            return this;
        }

        /** Where the {@code pilot_*} meters go (default: a private {@link SimpleMeterRegistry}). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The {@code control_plane.identifier} sent in every response (default {@code meshfed}). */
        public Builder controlPlaneId(String id) {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("controlPlaneId: " + id + " (expected: non-empty)");
            }
            this.controlPlaneId = id;
            return this;
        }

        /** The largest request accepted (default 64 MiB). */
        public Builder maxRequestSize(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxRequestSize: " + bytes + " (expected: >= 1024 bytes)");
            }
            this.maxRequestSize = bytes;
            return this;
        }

        /** The server, not yet listening. */
        public XdsServer build() {
            if (plaintextHost == null && mtlsHost == null) {
                throw new IllegalStateException("listeners: none (expected: plaintext(...) and/or mtls(...))");
            }
            return new XdsServer(this);
        }

        private static String requireHost(String what, String host) {
            if (host == null || host.isEmpty()) {
                throw new IllegalArgumentException(what + ": " + host + " (expected: an address to bind)");
            }
            return host;
        }

        private static int requirePort(String what, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + ": " + port + " (expected: 0..65535, 0 = ephemeral)");
            }
            return port;
        }
    }
}
