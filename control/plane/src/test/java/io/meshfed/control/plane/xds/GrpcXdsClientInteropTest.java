package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.client.xds.XdsResourceType.LISTENER;
import static io.meshfed.control.client.xds.XdsResourceType.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.meshfed.control.client.xds.XdsResourceType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's external-client test: grpc-java's proxyless xDS client resolves {@code xds:///echo.test} against
 * meshfed's ADS server (LDS → RDS → CDS → EDS, state of the world) and its calls follow the weighted route across
 * two clusters' backends on 127.0.1.x (east) and 127.0.2.x (west).
 */
class GrpcXdsClientInteropTest {
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("meshfed.test.Echo/Who")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    // grpc-java reads its bootstrap once per JVM, so one server serves the whole class.
    private static XdsServerFixture fx;
    private final List<Server> backends = new ArrayList<>();
    private ManagedChannel channel;

    @BeforeAll
    static void startServer() {
        fx = new XdsServerFixture(XdsServerFixture.FAST);
        System.setProperty("io.grpc.xds.bootstrapConfig", bootstrapJson(fx.server.plaintextPort()));
    }

    @AfterAll
    static void stopServer() {
        System.clearProperty("io.grpc.xds.bootstrapConfig");
        fx.close();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Server s : backends) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String bootstrapJson(int port) {
        return """
                {
                  "xds_servers": [{
                    "server_uri": "127.0.0.1:%d",
                    "channel_creds": [{"type": "insecure"}],
                    "server_features": ["xds_v3"]
                  }],
                  "node": {
                    "id": "router~127.0.0.1~grpc-client.default~default.svc.cluster.local",
                    "metadata": {"CLUSTER_ID": "east", "ROLE": "ingress", "MESH_ID": "mesh1"}
                  }
                }
                """.formatted(port);
    }

    private ManagedChannel channel(String authority) {
        channel = Grpc.newChannelBuilder("xds:///" + authority, InsecureChannelCredentials.create()).build();
        return channel;
    }

    private InetSocketAddress backend(String ip) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("meshfed.test.Echo")
                .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(ip);
                    response.onCompleted();
                }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(ip, 0)).addService(service).build()
                .start();
        backends.add(server);
        return new InetSocketAddress(ip, server.getPort());
    }

    private static ClusterLoadAssignment assignment(String cluster, InetSocketAddress... addresses) {
        // grpc-java ignores localities without a weight (gRFC A27), as Envoy does with locality-weighted LB.
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
                .setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder().setRegion(cluster))
                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1));
        for (InetSocketAddress a : addresses) {
            locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
                    Address.newBuilder().setSocketAddress(io.envoyproxy.envoy.config.core.v3.SocketAddress
                            .newBuilder().setAddress(a.getHostString()).setPortValue(a.getPort())))));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
    }

    @Test
    void proxylessGrpcClientFollowsTheWeightedRouteAcrossTwoClusters() throws IOException {
        InetSocketAddress east1 = backend("127.0.1.1");
        InetSocketAddress east2 = backend("127.0.1.2");
        InetSocketAddress west1 = backend("127.0.2.1");
        fx.set("east/ingress", Snapshot.builder()
                .add(LISTENER, TestResources.apiListener("echo.test", "echo-route"))
                .add(ROUTE, TestResources.weightedRoute("echo-route", "echo.test",
                        Map.of("reviews-east", 80, "reviews-west", 20)))
                .add(CLUSTER, TestResources.edsCluster("reviews-east"))
                .add(CLUSTER, TestResources.edsCluster("reviews-west"))
                .add(ENDPOINT, assignment("reviews-east", east1, east2))
                .add(ENDPOINT, assignment("reviews-west", west1))
                .build());

        channel("echo.test");

        int calls = 400;
        Map<String, Integer> byBackend = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            String who = ClientCalls.blockingUnaryCall(channel, WHO,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
            byBackend.merge(who, 1, Integer::sum);
        }

        int east = byBackend.getOrDefault("127.0.1.1", 0) + byBackend.getOrDefault("127.0.1.2", 0);
        int west = byBackend.getOrDefault("127.0.2.1", 0);
        assertThat(east + west).isEqualTo(calls);
        // 80/20 split; binomial sd at n=400 is 2 %, so ±8 % is four standard deviations.
        assertThat(east / (double) calls).isCloseTo(0.80, within(0.08));
        assertThat(byBackend).containsKeys("127.0.1.1", "127.0.1.2", "127.0.2.1");

        // grpc-java ACKed every type it subscribed to.
        ProxyStatus status = fx.awaitStatus(l -> l.size() == 1 && List.of(LISTENER, ROUTE, CLUSTER, ENDPOINT)
                .stream().allMatch(t -> l.get(0).type(t).state() == SyncState.SYNCED)).get(0);
        assertThat(status.proxyName()).isEqualTo("grpc-client.default");
        assertThat(status.type(XdsResourceType.SECRET).state()).isEqualTo(SyncState.NOT_SENT);
    }

    @Test
    void weightChangeIsPushedAndFollowed() throws IOException {
        InetSocketAddress east1 = backend("127.0.1.3");
        InetSocketAddress west1 = backend("127.0.2.3");
        Snapshot.Builder base = Snapshot.builder()
                .add(LISTENER, TestResources.apiListener("echo2.test", "echo2-route"))
                .add(CLUSTER, TestResources.edsCluster("reviews-east"))
                .add(CLUSTER, TestResources.edsCluster("reviews-west"))
                .add(ENDPOINT, assignment("reviews-east", east1))
                .add(ENDPOINT, assignment("reviews-west", west1));
        fx.set("east/ingress", base.add(ROUTE, TestResources.weightedRoute("echo2-route", "echo2.test",
                Map.of("reviews-east", 100, "reviews-west", 0))).build());
        channel("echo2.test");
        assertThat(ClientCalls.blockingUnaryCall(channel, WHO, CallOptions.DEFAULT
                .withDeadlineAfter(20, TimeUnit.SECONDS), "hi")).isEqualTo("127.0.1.3");

        fx.set("east/ingress", Snapshot.builder()
                .add(LISTENER, TestResources.apiListener("echo2.test", "echo2-route"))
                .add(CLUSTER, TestResources.edsCluster("reviews-east"))
                .add(CLUSTER, TestResources.edsCluster("reviews-west"))
                .add(ENDPOINT, assignment("reviews-east", east1))
                .add(ENDPOINT, assignment("reviews-west", west1))
                .add(ROUTE, TestResources.weightedRoute("echo2-route", "echo2.test",
                        Map.of("reviews-east", 0, "reviews-west", 100))).build());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String who = "";
        while (!who.equals("127.0.2.3") && System.nanoTime() < deadline) {
            who = ClientCalls.blockingUnaryCall(channel, WHO, CallOptions.DEFAULT
                    .withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
        }
        assertThat(who).isEqualTo("127.0.2.3");
    }
}
