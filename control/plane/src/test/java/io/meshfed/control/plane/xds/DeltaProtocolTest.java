package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static io.meshfed.control.plane.xds.TestResources.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeltaProtocolTest {
    private static final String GROUP = "east/eastwest";
    private final XdsServerFixture fx = new XdsServerFixture(XdsServerFixture.FAST);

    @AfterEach
    void close() {
        fx.close();
    }

    private static Snapshot snapshot(Map<String, String> endpointIpByCluster) {
        Snapshot.Builder b = Snapshot.builder();
        endpointIpByCluster.forEach((cluster, ip) -> {
            b.add(CLUSTER, edsCluster(cluster));
            b.add(ENDPOINT, endpoints(cluster, 8080, ip));
        });
        return b.build();
    }

    private static DeltaDiscoveryRequest.Builder request(XdsResourceType type) {
        return DeltaDiscoveryRequest.newBuilder().setNode(node("ew-1", "east", GatewayRole.EASTWEST))
                .setTypeUrl(type.typeUrl());
    }

    private static List<String> names(DeltaDiscoveryResponse r) {
        return r.getResourcesList().stream().map(Resource::getName).sorted().toList();
    }

    private static DeltaDiscoveryRequest ack(DeltaDiscoveryResponse r) {
        return DeltaDiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).setResponseNonce(r.getNonce()).build();
    }

    @Test
    void pushCarriesOnlyTheChangedResourceAndRemovals() {
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1", "b", "127.0.1.2", "c", "127.0.1.3")));
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(ENDPOINT)
                .addAllResourceNamesSubscribe(List.of("a", "b", "c")).build());
        DeltaDiscoveryResponse first = stream.next();
        assertThat(names(first)).containsExactly("a", "b", "c");
        assertThat(first.getResources(0).getVersion()).isNotEmpty();
        stream.send(ack(first));

        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1", "b", "127.0.1.9")));

        DeltaDiscoveryResponse push = stream.next();
        assertThat(names(push)).containsExactly("b");
        assertThat(push.getRemovedResourcesList()).containsExactly("c");
        stream.send(ack(push));
        fx.awaitStatus(l -> l.get(0).type(ENDPOINT).state() == SyncState.SYNCED);
        assertThat(fx.statuses().get(0).protocol()).isEqualTo(ProxyStatus.Protocol.DELTA);
    }

    @Test
    void reconnectWithInitialResourceVersionsGetsOnlyWhatChangedWhileAway() {
        Snapshot before = snapshot(Map.of("a", "127.0.1.1", "b", "127.0.1.2", "c", "127.0.1.3"));
        fx.set(GROUP, before);
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(CLUSTER).build());
        DeltaDiscoveryResponse first = stream.next();
        assertThat(names(first)).containsExactly("a", "b", "c");
        stream.send(ack(first));
        Map<String, String> held = new java.util.HashMap<>();
        first.getResourcesList().forEach(r -> held.put(r.getName(), r.getVersion()));
        stream.cancel();
        fx.awaitStatus(List::isEmpty);

        // While away: c removed, d added; a and b unchanged.
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1", "b", "127.0.1.2", "d", "127.0.1.4")));
        var resumed = RawAdsStream.delta(fx.grpc, fx.address()).send(request(CLUSTER)
                .addResourceNamesSubscribe("*").putAllInitialResourceVersions(held).build());

        DeltaDiscoveryResponse r = resumed.next();
        assertThat(names(r)).containsExactly("d");
        assertThat(r.getRemovedResourcesList()).containsExactly("c");
    }

    @Test
    void resumeWithEverythingCurrentGetsAnEmptyAnswerAndNoResend() {
        Snapshot snapshot = snapshot(Map.of("a", "127.0.1.1"));
        fx.set(GROUP, snapshot);
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(ENDPOINT)
                .addResourceNamesSubscribe("a")
                .putInitialResourceVersions("a", snapshot.resources(ENDPOINT).get("a").version()).build());

        DeltaDiscoveryResponse r = stream.next();
        assertThat(r.getResourcesList()).isEmpty();
        assertThat(r.getRemovedResourcesList()).isEmpty();
    }

    @Test
    void subscribingToAnAbsentResourceIsAnsweredWithItsRemovalThenItArrivesWhenCreated() {
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1")));
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(ENDPOINT)
                .addResourceNamesSubscribe("missing").build());
        DeltaDiscoveryResponse r = stream.next();
        assertThat(r.getResourcesList()).isEmpty();
        assertThat(r.getRemovedResourcesList()).containsExactly("missing");
        stream.send(ack(r));

        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1", "missing", "127.0.1.5")));
        assertThat(names(stream.next())).containsExactly("missing");
    }

    @Test
    void resubscribingToAHeldResourceResendsIt() {
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1")));
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(ENDPOINT)
                .addResourceNamesSubscribe("a").build());
        stream.send(ack(stream.next()));

        stream.send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(ENDPOINT.typeUrl())
                .addResourceNamesSubscribe("a").build());

        assertThat(names(stream.next())).containsExactly("a");
    }

    @Test
    void unsubscribingFromANameAlsoCoveredByTheWildcardIsAnsweredWithTheResource() {
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1", "b", "127.0.1.2")));
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(CLUSTER)
                .addResourceNamesSubscribe("*").addResourceNamesSubscribe("a").build());
        stream.send(ack(stream.next()));

        stream.send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CLUSTER.typeUrl())
                .addResourceNamesUnsubscribe("a").build());

        assertThat(names(stream.next())).containsExactly("a");
    }

    @Test
    void nackIsReportedAndTheRejectedVersionIsNotResent() {
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.1")));
        var stream = RawAdsStream.delta(fx.grpc, fx.address()).send(request(ENDPOINT)
                .addResourceNamesSubscribe("a").build());
        stream.send(ack(stream.next()));
        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.66")));
        DeltaDiscoveryResponse bad = stream.next();
        stream.send(ack(bad).toBuilder().setErrorDetail(Status.newBuilder().setCode(3)
                .setMessage("endpoint 127.0.1.66: port 8080 (expected: an open port)")).build());
        ProxyStatus status = fx.awaitStatus(l -> l.get(0).type(ENDPOINT).lastNack().isPresent()).get(0);
        assertThat(status.type(ENDPOINT).lastNack().get().message()).contains("127.0.1.66");
        assertThat(status.lastNack()).isPresent();

        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.66", "z", "127.0.1.26")));
        stream.expectNothingFor(Duration.ofMillis(300));

        fx.set(GROUP, snapshot(Map.of("a", "127.0.1.7", "z", "127.0.1.26")));
        DeltaDiscoveryResponse fixed = stream.next();
        assertThat(names(fixed)).containsExactly("a");
        stream.send(ack(fixed));
        ProxyStatus synced = fx.awaitStatus(l -> l.get(0).type(ENDPOINT).state() == SyncState.SYNCED).get(0);
        assertThat(synced.type(ENDPOINT).lastNack()).as("kept for diagnosis").isPresent();
    }
}
