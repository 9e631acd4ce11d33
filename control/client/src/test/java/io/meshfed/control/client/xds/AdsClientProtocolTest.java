package io.meshfed.control.client.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's side of the protocol, against a scripted ADS server that records every request. */
class AdsClientProtocolTest {
    private static final ServiceName ADS = ServiceName.create("envoy.service.discovery.v3.AggregatedDiscoveryService");

    private final Vertx vertx = Vertx.vertx();
    private final LinkedBlockingQueue<Object> requests = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<GrpcServerRequest<?, ?>> calls = new LinkedBlockingQueue<>();
    private final HttpServer http;
    private AdsClient client;

    AdsClientProtocolTest() {
        GrpcServer grpc = GrpcServer.server(vertx);
        grpc.callHandler(ServiceMethod.server(ADS, "StreamAggregatedResources", GrpcMessageEncoder.encoder(),
                GrpcMessageDecoder.decoder(DiscoveryRequest.newBuilder())), call -> {
                    call.handler(requests::add);
                    calls.add(call);
                });
        grpc.callHandler(ServiceMethod.server(ADS, "DeltaAggregatedResources", GrpcMessageEncoder.encoder(),
                GrpcMessageDecoder.decoder(DeltaDiscoveryRequest.newBuilder())), call -> {
                    call.handler(requests::add);
                    calls.add(call);
                });
        http = await(vertx.createHttpServer(new HttpServerOptions()).requestHandler(grpc).listen(0, "127.0.0.1"));
    }

    @AfterEach
    void close() {
        if (client != null) {
            await(client.close());
        }
        await(http.close());
        await(vertx.close());
    }

    private AdsClient client(AdsClient.Protocol protocol, ResourceConsumer consumer) {
        client = AdsClient.builder(vertx)
                .server(SocketAddress.inetSocketAddress(http.actualPort(), "127.0.0.1"))
                .node(NodeIdentity.builder().ip("10.0.0.2").podName("gw").namespace("istio-system")
                        .clusterId("east").role(GatewayRole.EGRESS).build())
                .protocol(protocol)
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)))
                .subscribe(XdsResourceType.CLUSTER, Set.of(), consumer)
                .build();
        await(client.start());
        return client;
    }

    @SuppressWarnings("unchecked")
    private <T> T nextRequest() throws InterruptedException {
        Object r = requests.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a request within 10 s").isNotNull();
        return (T) r;
    }

    @SuppressWarnings("unchecked")
    private <Q, R> GrpcServerRequest<Q, R> nextCall() throws InterruptedException {
        GrpcServerRequest<?, ?> call = calls.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a stream within 10 s").isNotNull();
        return (GrpcServerRequest<Q, R>) call;
    }

    private static Any cluster(String name) {
        return Any.pack(Cluster.newBuilder().setName(name).build());
    }

    @Test
    void sotwNacksWhatCannotBeReadOrIsDuplicatedAndAcksTheNextGoodVersion() throws Exception {
        client(AdsClient.Protocol.STATE_OF_THE_WORLD, update -> Verdict.accept());
        GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call = nextCall();
        DiscoveryRequest first = nextRequest();
        assertThat(first.getNode().getId()).startsWith("router~10.0.0.2~gw.istio-system~");
        assertThat(first.getResourceNamesList()).as("wildcard").isEmpty();

        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v1").setNonce("n1").addResources(Any.newBuilder()
                        .setTypeUrl(XdsResourceType.CLUSTER.typeUrl()).setValue(ByteString.copyFromUtf8("\u00ff\u00ff")))
                .build());
        DiscoveryRequest nack = nextRequest();
        assertThat(nack.getResponseNonce()).isEqualTo("n1");
        assertThat(nack.getVersionInfo()).isEmpty();
        assertThat(nack.getErrorDetail().getMessage()).startsWith("CDS resources[0]: ");
        assertThat(nack.hasNode()).as("node only on the first request").isFalse();

        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v2").setNonce("n2").addResources(cluster("a")).addResources(cluster("a")).build());
        assertThat(this.<DiscoveryRequest>nextRequest().getErrorDetail().getMessage())
                .isEqualTo("CDS resource a: sent twice in one response (expected: unique names)");

        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v3").setNonce("n3").addResources(cluster("a")).build());
        DiscoveryRequest ack = nextRequest();
        assertThat(ack.hasErrorDetail()).isFalse();
        assertThat(ack.getVersionInfo()).isEqualTo("v3");
        assertThat(ack.getResponseNonce()).isEqualTo("n3");
        assertThat(await(client.state()).types().get(XdsResourceType.CLUSTER).resources()).containsOnlyKeys("a");
    }

    @Test
    void sotwReconnectAnnouncesTheLastAcceptedVersion() throws Exception {
        client(AdsClient.Protocol.STATE_OF_THE_WORLD, update -> Verdict.accept());
        GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call = nextCall();
        nextRequest();
        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v7").setNonce("n1").addResources(cluster("a")).build());
        nextRequest(); // ACK
        call.response().status(GrpcStatus.UNAVAILABLE).end();

        nextCall();
        DiscoveryRequest resumed = nextRequest();
        assertThat(resumed.getVersionInfo()).isEqualTo("v7");
        assertThat(resumed.getResponseNonce()).as("nonces do not survive a stream").isEmpty();
        assertThat(resumed.hasNode()).isTrue();
        assertThat(await(client.state()).reconnects()).isEqualTo(1);
    }

    @Test
    void deltaRejectionKeepsTheLastGoodSetAndReconnectSendsInitialResourceVersions() throws Exception {
        client(AdsClient.Protocol.DELTA, update -> update.resources().containsKey("bad")
                ? Verdict.reject("cluster bad: type: STATIC (expected: EDS)") : Verdict.accept());
        GrpcServerRequest<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call = nextCall();
        DeltaDiscoveryRequest first = nextRequest();
        assertThat(first.getResourceNamesSubscribeList()).containsExactly("*");
        assertThat(first.getInitialResourceVersionsMap()).isEmpty();

        call.response().write(DeltaDiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setSystemVersionInfo("s1").setNonce("n1")
                .addResources(Resource.newBuilder().setName("a").setVersion("va").setResource(cluster("a")))
                .addResources(Resource.newBuilder().setName("b").setVersion("vb").setResource(cluster("b")))
                .build());
        DeltaDiscoveryRequest ack = nextRequest();
        assertThat(ack.getResponseNonce()).isEqualTo("n1");
        assertThat(ack.hasErrorDetail()).isFalse();

        call.response().write(DeltaDiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setSystemVersionInfo("s2").setNonce("n2").addRemovedResources("a")
                .addResources(Resource.newBuilder().setName("bad").setVersion("vx").setResource(cluster("bad")))
                .build());
        DeltaDiscoveryRequest nack = nextRequest();
        assertThat(nack.getErrorDetail().getMessage()).isEqualTo("cluster bad: type: STATIC (expected: EDS)");
        TypeState kept = await(client.state()).types().get(XdsResourceType.CLUSTER);
        assertThat(kept.resources()).containsOnlyKeys("a", "b");
        assertThat(kept.acceptedVersion()).isEqualTo("s1");

        call.response().status(GrpcStatus.UNAVAILABLE).end();
        nextCall();
        DeltaDiscoveryRequest resumed = nextRequest();
        assertThat(resumed.getInitialResourceVersionsMap()).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of("a", "va", "b", "vb"));
        assertThat(resumed.getResourceNamesSubscribeList()).containsExactly("*");
    }

    @Test
    void subscriptionChangesAreSentAsDeltas() throws Exception {
        client(AdsClient.Protocol.DELTA, update -> Verdict.accept());
        nextCall();
        nextRequest();

        await(client.updateSubscription(XdsResourceType.CLUSTER, Set.of("a", "b")));

        DeltaDiscoveryRequest change = nextRequest();
        assertThat(change.getResourceNamesSubscribeList()).containsExactly("a", "b");
        assertThat(change.getResourceNamesUnsubscribeList()).containsExactly("*");
        assertThat(change.getResponseNonce()).isEmpty();
    }

    @Test
    void anAsyncVerdictIsAnsweredWhenItArrivesAndTheNextResponseWaitsForIt() throws Exception {
        java.util.List<io.vertx.core.Promise<Verdict>> verdicts = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<String> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
        client = AdsClient.builder(vertx)
                .server(SocketAddress.inetSocketAddress(http.actualPort(), "127.0.0.1"))
                .node(NodeIdentity.builder().ip("10.0.0.2").podName("gw").namespace("istio-system")
                        .clusterId("east").role(GatewayRole.INGRESS).build())
                .protocol(AdsClient.Protocol.STATE_OF_THE_WORLD)
                .subscribeAsync(XdsResourceType.CLUSTER, Set.of(), update -> {
                    offered.add(update.version());
                    io.vertx.core.Promise<Verdict> verdict = io.vertx.core.Promise.promise();
                    verdicts.add(verdict);
                    return verdict.future();
                })
                .build();
        await(client.start());
        GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call = nextCall();
        nextRequest();
        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v1").setNonce("n1").addResources(cluster("a")).build());
        call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(XdsResourceType.CLUSTER.typeUrl())
                .setVersionInfo("v2").setNonce("n2").addResources(cluster("b")).build());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (verdicts.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("no answer before the verdict").isNull();
        assertThat(offered).as("v2 waits for v1's verdict").containsExactly("v1");

        // Completed from a foreign thread: the client hops back onto its context.
        new Thread(() -> verdicts.get(0).complete(Verdict.reject("cluster a: not bindable"))).start();
        DiscoveryRequest nack = nextRequest();
        assertThat(nack.getResponseNonce()).isEqualTo("n1");
        assertThat(nack.getErrorDetail().getMessage()).isEqualTo("cluster a: not bindable");

        while (verdicts.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(offered).containsExactly("v1", "v2");
        verdicts.get(1).complete(Verdict.accept());
        DiscoveryRequest ack = nextRequest();
        assertThat(ack.getVersionInfo()).isEqualTo("v2");
        assertThat(ack.hasErrorDetail()).isFalse();
        assertThat(await(client.state()).types().get(XdsResourceType.CLUSTER).resources()).containsOnlyKeys("b");
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
