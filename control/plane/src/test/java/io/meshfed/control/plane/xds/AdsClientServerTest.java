package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.AdsClientState;
import io.meshfed.control.client.xds.Backoff;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.ResourceUpdate;
import io.meshfed.control.client.xds.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** meshfed's own ADS client against meshfed's own ADS server, in both protocol variants. */
class AdsClientServerTest {
    private static final String GROUP = "east/ingress";
    private final XdsServerFixture fx = new XdsServerFixture(XdsServerFixture.FAST);
    private final List<ResourceUpdate> clusterUpdates = new CopyOnWriteArrayList<>();
    private final List<ResourceUpdate> endpointUpdates = new CopyOnWriteArrayList<>();
    private AdsClient client;

    @AfterEach
    void close() {
        if (client != null) {
            RawAdsStream.await(client.close());
        }
        fx.close();
    }

    private static Snapshot snapshot(String... clusters) {
        Snapshot.Builder b = Snapshot.builder();
        for (String c : clusters) {
            b.add(CLUSTER, c.startsWith("bad") ? edsCluster(c).toBuilder()
                    .setLbPolicy(Cluster.LbPolicy.MAGLEV).build() : edsCluster(c));
            b.add(ENDPOINT, endpoints(c, 8080, "127.0.1.1"));
        }
        return b.build();
    }

    private AdsClient client(AdsClient.Protocol protocol, int port) {
        return AdsClient.builder(fx.vertx)
                .server(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
                .node(NodeIdentity.builder().ip("10.0.0.9").podName("ingress-1").namespace("istio-system")
                        .clusterId("east").network("net-east").role(GatewayRole.INGRESS).meshId("mesh1").build())
                .protocol(protocol)
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)))
                .subscribe(CLUSTER, Set.of(), update -> {
                    clusterUpdates.add(update);
                    // A gateway that cannot do Maglev says so, naming the resource and field.
                    return update.resources().values().stream()
                            .filter(r -> ((Cluster) r.resource()).getLbPolicy() == Cluster.LbPolicy.MAGLEV)
                            .map(r -> Verdict.reject("cluster " + r.name() + ": lb_policy: MAGLEV (expected: "
                                    + "ROUND_ROBIN or LEAST_REQUEST)"))
                            .findFirst().orElse(Verdict.accept());
                })
                .subscribe(ENDPOINT, Set.of("a", "b"), update -> {
                    endpointUpdates.add(update);
                    return Verdict.accept();
                })
                .build();
    }

    private AdsClientState awaitState(Predicate<AdsClientState> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        AdsClientState state = RawAdsStream.await(client.state());
        while (!condition.test(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("client state condition not met within 10 s: " + state);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            state = RawAdsStream.await(client.state());
        }
        return state;
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void clientReceivesAcksAndFollowsChanges(AdsClient.Protocol protocol) {
        Snapshot first = snapshot("a", "b", "c");
        fx.set(GROUP, first);
        client = client(protocol, fx.server.plaintextPort());
        RawAdsStream.await(client.start());

        AdsClientState state = awaitState(s -> s.types().get(CLUSTER).resources().size() == 3
                && s.types().get(ENDPOINT).resources().size() == 2);
        assertThat(state.types().get(CLUSTER).acceptedVersion()).isEqualTo(first.version(CLUSTER));
        assertThat(state.types().get(ENDPOINT).resources()).containsOnlyKeys("a", "b");
        fx.awaitStatus(l -> l.size() == 1 && l.get(0).type(CLUSTER).state() == SyncState.SYNCED
                && l.get(0).type(ENDPOINT).state() == SyncState.SYNCED
                && l.get(0).protocol().name().equals(protocol.name()));

        fx.set(GROUP, snapshot("a", "b"));
        state = awaitState(s -> s.types().get(CLUSTER).resources().size() == 2);
        assertThat(state.types().get(CLUSTER).resources()).containsOnlyKeys("a", "b");
        assertThat(clusterUpdates.get(clusterUpdates.size() - 1).removed()).containsExactly("c");
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void rejectedUpdateIsNackedWithTheConsumersReasonAndTheLastGoodSetKeepsServing(AdsClient.Protocol protocol) {
        Snapshot good = snapshot("a", "b");
        fx.set(GROUP, good);
        client = client(protocol, fx.server.plaintextPort());
        RawAdsStream.await(client.start());
        awaitState(s -> s.types().get(CLUSTER).resources().size() == 2);

        fx.set(GROUP, snapshot("a", "b", "bad-maglev"));

        ProxyStatus status = fx.awaitStatus(l -> l.size() == 1 && l.get(0).type(CLUSTER).lastNack().isPresent())
                .get(0);
        assertThat(status.type(CLUSTER).lastNack().get().message())
                .isEqualTo("cluster bad-maglev: lb_policy: MAGLEV (expected: ROUND_ROBIN or LEAST_REQUEST)");
        AdsClientState state = RawAdsStream.await(client.state());
        assertThat(state.types().get(CLUSTER).acceptedVersion()).isEqualTo(good.version(CLUSTER));
        assertThat(state.types().get(CLUSTER).resources()).containsOnlyKeys("a", "b");
        assertThat(state.types().get(CLUSTER).lastRejection()).isPresent();

        fx.set(GROUP, snapshot("a", "b", "d"));
        awaitState(s -> s.types().get(CLUSTER).resources().containsKey("d"));
        fx.awaitStatus(l -> l.get(0).type(CLUSTER).state() == SyncState.SYNCED);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void clientReconnectsToARestartedControlPlaneAndResumes(AdsClient.Protocol protocol) {
        fx.set(GROUP, snapshot("a", "b"));
        client = client(protocol, fx.server.plaintextPort());
        RawAdsStream.await(client.start());
        awaitState(s -> s.types().get(CLUSTER).resources().size() == 2);
        int port = fx.server.plaintextPort();

        RawAdsStream.await(fx.server.close());
        awaitState(s -> !s.connected());
        // A new control plane on the same port, where b changed while the gateway was away.
        XdsServer restarted = XdsServer.builder(fx.vertx).plaintext("127.0.0.1", port)
                .debounce(XdsServerFixture.FAST).meterRegistry(new SimpleMeterRegistry()).build();
        RawAdsStream.await(restarted.start());
        try {
            Snapshot next = Snapshot.builder().add(CLUSTER, edsCluster("a")).add(CLUSTER, edsCluster("b")
                    .toBuilder().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).build())
                    .add(ENDPOINT, endpoints("a", 8080, "127.0.1.1")).add(ENDPOINT, endpoints("b", 8080, "127.0.1.1"))
                    .build();
            RawAdsStream.await(restarted.snapshots().setSnapshot(GROUP, next));
            int updatesBefore = clusterUpdates.size();

            AdsClientState state = awaitState(s -> s.connected()
                    && next.version(CLUSTER).equals(s.types().get(CLUSTER).acceptedVersion()));
            assertThat(state.reconnects()).isGreaterThanOrEqualTo(1);
            ResourceUpdate resumed = clusterUpdates.get(clusterUpdates.size() - 1);
            assertThat(clusterUpdates.size()).isGreaterThan(updatesBefore);
            assertThat(resumed.updated()).containsExactly("b");
            assertThat(resumed.resources()).containsOnlyKeys("a", "b");
        } finally {
            RawAdsStream.await(restarted.close());
        }
    }
}
