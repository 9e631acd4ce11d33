package io.meshfed.control.client.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's ADS client: one stream to the control plane (state of the world or delta), typed subscriptions whose
 * consumers validate what arrives (accept → ACK and keep as the last good set; reject → NACK with the reason and
 * keep the previous set), and reconnection with exponential backoff and jitter, resuming where it left off.
 *
 * <pre>{@code
 * AdsClient client = AdsClient.builder(vertx)
 *     .server(SocketAddress.inetSocketAddress(15010, "127.0.0.1"))
 *     .node(NodeIdentity.builder().ip("10.0.0.7").podName("gw-1").namespace("istio-system")
 *         .clusterId("east").role(GatewayRole.INGRESS).build())
 *     .protocol(AdsClient.Protocol.DELTA)
 *     .subscribe(XdsResourceType.CLUSTER, Set.of(), clusters::apply)
 *     .build();
 * client.start();
 * }</pre>
 *
 * <p>Owned by one Vert.x context (the caller's, or a new one): consumers run there. Consumers may answer later
 * ({@link Builder#subscribeAsync}); responses are then offered one at a time, in order.
 */
public final class AdsClient {
    private static final Logger LOG = LoggerFactory.getLogger(AdsClient.class);
    private static final ServiceName ADS = ServiceName.create("envoy.service.discovery.v3.AggregatedDiscoveryService");
    private static final ServiceMethod<DiscoveryResponse, DiscoveryRequest> SOTW = ServiceMethod.client(ADS,
            "StreamAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DiscoveryResponse.newBuilder()));
    private static final ServiceMethod<DeltaDiscoveryResponse, DeltaDiscoveryRequest> DELTA = ServiceMethod.client(
            ADS, "DeltaAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DeltaDiscoveryResponse.newBuilder()));

    /** The ADS variant. */
    public enum Protocol {
        /** {@code StreamAggregatedResources}. */
        STATE_OF_THE_WORLD,
        /** {@code DeltaAggregatedResources}. */
        DELTA
    }

    private final Vertx vertx;
    private final Context context;
    private final Supplier<ClientSSLOptions> ssl;
    private final long maxMessageSize;
    private final OfferQueue offers = new OfferQueue();
    private GrpcClient grpc;
    private final SocketAddress server;
    private final Node node;
    private final Protocol protocol;
    private final Backoff backoff;
    private final Random random;
    private final Map<XdsResourceType, ClientSubscription> subscriptions;
    private Exchange<?, ?> exchange;
    private int attempt;
    private long reconnects;
    private Instant connectedSince;
    private long retryTimer = -1;
    private boolean started;
    private boolean closed;

    private AdsClient(Builder b) {
        this.vertx = b.vertx;
        this.context = vertx.getOrCreateContext();
        this.server = b.server;
        this.node = b.node;
        this.protocol = b.protocol;
        this.backoff = b.backoff;
        this.random = b.random;
        this.subscriptions = b.subscriptions;
        this.ssl = b.ssl;
        this.maxMessageSize = b.maxMessageSize;
    }

    /**
     * A gRPC client for the next connection attempt. With TLS, each attempt reads the current options, so a
     * connection opened after a certificate rotation presents the new certificate (the open stream keeps its own).
     */
    private GrpcClient newGrpcClient() {
        HttpClientOptions http = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false);
        if (ssl != null) {
            ClientSSLOptions current = ssl.get();
            http.setSsl(true).setUseAlpn(true);
            ClientSSLOptions target = http.getSslOptions();
            target.setKeyCertOptions(current.getKeyCertOptions())
                    .setTrustOptions(current.getTrustOptions())
                    .setHostnameVerificationAlgorithm(current.getHostnameVerificationAlgorithm());
            target.setTrustAll(current.isTrustAll());
        }
        // A full EDS state of 10,000 clusters is tens of MB; gRPC's usual 4 MiB default would cut the stream.
        return GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(maxMessageSize), http);
    }

    /** A builder. */
    public static Builder builder(Vertx vertx) {
        return new Builder(vertx);
    }

    /** Opens the stream; failures are retried with backoff until {@link #close()}. */
    public Future<Void> start() {
        return onContext(() -> {
            if (started) {
                throw new IllegalStateException("AdsClient already started");
            }
            started = true;
            connect();
            return null;
        });
    }

    /** Changes what a subscribed type asks for (empty: wildcard). */
    public Future<Void> updateSubscription(XdsResourceType type, Set<String> names) {
        Objects.requireNonNull(names, "names");
        return onContext(() -> {
            ClientSubscription s = subscriptions.get(type);
            if (s == null) {
                throw new IllegalArgumentException("type: " + type + " (expected: one of the subscribed types "
                        + subscriptions.keySet() + ")");
            }
            Set<String> before = s.names();
            s.names(names);
            if (exchange != null && !before.equals(s.names())) {
                exchange.subscriptionChanged(s, before);
            }
            return null;
        });
    }

    /** What the client holds, for the gateway's admin API. */
    public Future<AdsClientState> state() {
        return onContext(() -> {
            Map<XdsResourceType, TypeState> types = new LinkedHashMap<>();
            for (XdsResourceType t : XdsResourceType.pushOrder()) {
                ClientSubscription s = subscriptions.get(t);
                if (s != null) {
                    types.put(t, s.state());
                }
            }
            return new AdsClientState(connectedSince != null, protocol, server.toString(),
                    Optional.ofNullable(connectedSince), reconnects, types);
        });
    }

    /** Ends the stream and stops reconnecting. */
    public Future<Void> close() {
        return onContext(() -> {
            closed = true;
            if (retryTimer >= 0) {
                vertx.cancelTimer(retryTimer);
            }
            if (exchange != null) {
                exchange.end();
                exchange.call.cancel();
                exchange = null;
            }
            GrpcClient last = grpc;
            grpc = null;
            return last;
        }).compose(last -> last == null ? Future.succeededFuture() : last.close());
    }

    private void connect() {
        retryTimer = -1;
        if (closed) {
            return;
        }
        if (grpc == null || ssl != null) {
            GrpcClient previous = grpc;
            grpc = newGrpcClient();
            if (previous != null) {
                previous.close();
            }
        }
        if (protocol == Protocol.DELTA) {
            grpc.request(server, DELTA).onComplete(ar -> {
                if (ar.failed()) {
                    streamEnded(null, ar.cause().toString());
                } else {
                    open(new DeltaExchange(ar.result(), node, subscriptions, context, offers));
                }
            });
        } else {
            grpc.request(server, SOTW).onComplete(ar -> {
                if (ar.failed()) {
                    streamEnded(null, ar.cause().toString());
                } else {
                    open(new SotwExchange(ar.result(), node, subscriptions, context, offers));
                }
            });
        }
    }

    private <Q, R> void open(Exchange<Q, R> ex) {
        if (closed) {
            ex.call.cancel();
            return;
        }
        exchange = ex;
        GrpcClientRequest<Q, R> call = ex.call;
        call.exceptionHandler(e -> streamEnded(ex, e.toString()));
        call.response().onComplete(ar -> {
            if (ar.failed()) {
                streamEnded(ex, ar.cause().toString());
                return;
            }
            GrpcClientResponse<Q, R> response = ar.result();
            response.handler(message -> {
                if (exchange == ex) {
                    if (!ex.answered) {
                        connectedSince = Instant.now();
                        attempt = 0;
                    }
                    ex.onResponse(message);
                }
            });
            response.exceptionHandler(e -> streamEnded(ex, e.toString()));
            response.endHandler(v -> streamEnded(ex, "ended by the server: " + response.status()
                    + (response.statusMessage() == null ? "" : " " + response.statusMessage())));
            if (response.status() != null && response.status() != GrpcStatus.OK) {
                streamEnded(ex, "refused by the server: " + response.status() + " " + response.statusMessage());
            }
        });
        ex.start();
    }

    private void streamEnded(Exchange<?, ?> ex, String why) {
        if (ex != null && exchange != ex) {
            return; // an old stream's late news
        }
        exchange = null;
        connectedSince = null;
        if (ex != null) {
            ex.end();
            ex.call.cancel();
        }
        if (closed || retryTimer >= 0) {
            return;
        }
        Duration delay = backoff.delay(attempt++, random::nextDouble);
        reconnects++;
        LOG.warn("ADS stream to {} lost ({}); reconnecting in {} ms", server, why, delay.toMillis());
        retryTimer = vertx.setTimer(delay.toMillis(), id -> connect());
    }

    private <T> Future<T> onContext(Supplier<T> work) {
        Promise<T> promise = Promise.promise();
        Runnable run = () -> {
            try {
                promise.complete(work.get());
            } catch (RuntimeException e) {
                promise.fail(e);
            }
        };
        if (Vertx.currentContext() == context) {
            run.run();
        } else {
            context.runOnContext(v -> run.run());
        }
        return promise.future();
    }

    /** Configures an {@link AdsClient}; setters validate their arguments. */
    public static final class Builder {
        private final Vertx vertx;
        private SocketAddress server;
        private Supplier<ClientSSLOptions> ssl;
        private Node node;
        private Protocol protocol = Protocol.DELTA;
        private Backoff backoff = Backoff.DEFAULT;
        private Random random = new Random();
        private long maxMessageSize = 256L * 1024 * 1024;
        private final Map<XdsResourceType, ClientSubscription> subscriptions = new EnumMap<>(XdsResourceType.class);

        private Builder(Vertx vertx) {
            this.vertx = Objects.requireNonNull(vertx, "vertx");
        }

        /** The control plane's ADS address. */
        public Builder server(SocketAddress server) {
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /** mTLS towards the control plane's :15012 (the gateway's SVID and the mesh trust bundle). */
        public Builder ssl(ClientSSLOptions ssl) {
            Objects.requireNonNull(ssl, "ssl");
            this.ssl = () -> ssl;
            return this;
        }

        /**
         * mTLS with options read at every connection attempt: the current SVID of a rotating certificate (trust's
         * {@code MeshTls::clientSslOptions}).
         */
        public Builder ssl(Supplier<ClientSSLOptions> ssl) {
            this.ssl = Objects.requireNonNull(ssl, "ssl");
            return this;
        }

        /** The node, from {@link NodeIdentity#toNode()}. */
        public Builder node(Node node) {
            Objects.requireNonNull(node, "node");
            if (node.getId().isEmpty()) {
                throw new IllegalArgumentException("node.id: (empty) (expected: an Istio-style node id)");
            }
            this.node = node;
            return this;
        }

        /** The node of a meshfed gateway. */
        public Builder node(NodeIdentity identity) {
            return node(identity.toNode());
        }

        /** State of the world or delta (default delta). */
        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** Reconnect backoff (default 1 s to 30 s). */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The largest response accepted (default 256 MiB). */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize: " + bytes + " (expected: >= 1024 bytes)");
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** The jitter source (tests pass a seeded one). */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Subscribes to a type.
         *
         * @param names the resource names, or empty for the wildcard (LDS/CDS as Envoy does)
         * @param consumer validates and applies what arrives
         */
        public Builder subscribe(XdsResourceType type, Set<String> names, ResourceConsumer consumer) {
            Objects.requireNonNull(consumer, "consumer");
            return subscribeAsync(type, names, AsyncResourceConsumer.of(consumer));
        }

        /**
         * Subscribes to a type with a consumer whose verdict may come later (a data plane that builds and binds
         * before it knows); the ACK or NACK is sent when it does.
         *
         * @param names the resource names, or empty for the wildcard
         * @param consumer validates and applies what arrives
         */
        public Builder subscribeAsync(XdsResourceType type, Set<String> names, AsyncResourceConsumer consumer) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(names, "names");
            Objects.requireNonNull(consumer, "consumer");
            if (names.contains("*")) {
                throw new IllegalArgumentException("names: " + names + " (expected: explicit names, or empty for "
                        + "the wildcard)");
            }
            if (subscriptions.containsKey(type)) {
                throw new IllegalArgumentException("type: " + type + " (expected: each type subscribed once)");
            }
            subscriptions.put(type, new ClientSubscription(type, names, consumer));
            return this;
        }

        /** The client, not yet connected. */
        public AdsClient build() {
            if (server == null) {
                throw new IllegalStateException("server: not set (expected: the control plane's ADS address)");
            }
            if (node == null) {
                throw new IllegalStateException("node: not set (expected: node(NodeIdentity) or node(Node))");
            }
            if (subscriptions.isEmpty()) {
                throw new IllegalStateException("subscriptions: none (expected: at least one subscribe(...))");
            }
            return new AdsClient(this);
        }
    }
}
