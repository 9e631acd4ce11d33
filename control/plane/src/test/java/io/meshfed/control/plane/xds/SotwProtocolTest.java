package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static io.meshfed.control.client.xds.XdsResourceType.ENDPOINT;
import static io.meshfed.control.client.xds.XdsResourceType.LISTENER;
import static io.meshfed.control.client.xds.XdsResourceType.ROUTE;
import static io.meshfed.control.plane.xds.TestResources.edsCluster;
import static io.meshfed.control.plane.xds.TestResources.endpoints;
import static io.meshfed.control.plane.xds.TestResources.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.vertx.grpc.common.GrpcStatus;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SotwProtocolTest {
    private static final String GROUP = "east/ingress";
    private final XdsServerFixture fx = new XdsServerFixture(XdsServerFixture.FAST);

    @AfterEach
    void close() {
        fx.close();
    }

    private static Snapshot clusters(String... names) {
        Snapshot.Builder b = Snapshot.builder();
        for (String n : names) {
            b.add(CLUSTER, edsCluster(n));
            b.add(ENDPOINT, endpoints(n, 8080, "127.0.1.1"));
        }
        return b.build();
    }

    private static DiscoveryRequest request(XdsResourceType type, String version, String nonce, String... names) {
        return DiscoveryRequest.newBuilder().setNode(node("gw-1", "east", GatewayRole.INGRESS))
                .setTypeUrl(type.typeUrl()).setVersionInfo(version).setResponseNonce(nonce)
                .addAllResourceNames(List.of(names)).build();
    }

    private static List<String> names(DiscoveryResponse r, XdsResourceType type) {
        return r.getResourcesList().stream().map(any -> {
            try {
                return type.nameOf(type.unpack(any));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void firstWildcardRequestGetsEveryClusterWithVersionAndNonce() {
        Snapshot snapshot = clusters("a", "b");
        fx.set(GROUP, snapshot);
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));

        DiscoveryResponse r = stream.next();

        assertThat(r.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
        assertThat(r.getVersionInfo()).isEqualTo(snapshot.version(CLUSTER));
        assertThat(r.getNonce()).isNotEmpty();
        assertThat(r.getControlPlane().getIdentifier()).isEqualTo("meshfed");
        assertThat(names(r, CLUSTER)).containsExactly("a", "b");
        assertThat(fx.statuses()).singleElement().satisfies(s -> {
            assertThat(s.proxyName()).isEqualTo("gw-1.istio-system");
            assertThat(s.group()).isEqualTo(GROUP);
            assertThat(s.type(CLUSTER).state()).isEqualTo(SyncState.STALE);
            assertThat(s.type(LISTENER).state()).isEqualTo(SyncState.NOT_SENT);
        });
    }

    @Test
    void ackMakesTheTypeSyncedAndNackIsReportedPerGatewayWithItsError() {
        fx.set(GROUP, clusters("a"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        DiscoveryResponse first = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), first.getNonce()));
        fx.awaitStatus(l -> l.get(0).type(CLUSTER).state() == SyncState.SYNCED);

        Snapshot bad = clusters("a", "bad");
        fx.set(GROUP, bad);
        DiscoveryResponse second = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), second.getNonce()).toBuilder()
                .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster bad: lb_policy: unsupported"))
                .build());

        ProxyStatus status = fx.awaitStatus(l -> l.get(0).type(CLUSTER).lastNack().isPresent()).get(0);
        assertThat(status.type(CLUSTER).state()).isEqualTo(SyncState.STALE);
        assertThat(status.type(CLUSTER).ackedVersion()).isEqualTo(first.getVersionInfo());
        assertThat(status.type(CLUSTER).lastNack().get().message()).isEqualTo("cluster bad: lb_policy: unsupported");
        assertThat(status.type(CLUSTER).lastNack().get().rejectedVersion()).isEqualTo(bad.version(CLUSTER));
        assertThat(fx.counter("pilot_total_xds_rejects", "cds")).isEqualTo(1);
    }

    @Test
    void nackedConfigIsNotPushedAgainOnlyANewerVersionIs() {
        fx.set(GROUP, clusters("a"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        DiscoveryResponse first = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), first.getNonce()));
        fx.set(GROUP, clusters("a", "bad"));
        DiscoveryResponse rejected = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), rejected.getNonce()).toBuilder()
                .setErrorDetail(Status.newBuilder().setMessage("no")).build());

        // The same content again (a no-op re-set, and a change in another group) brings nothing.
        fx.set(GROUP, clusters("a", "bad"));
        fx.set("west/ingress", clusters("x"));
        stream.expectNothingFor(Duration.ofMillis(300));

        fx.set(GROUP, clusters("a", "good"));
        DiscoveryResponse newer = stream.next();
        assertThat(names(newer, CLUSTER)).containsExactly("a", "good");
    }

    @Test
    void requestWithStaleNonceIsIgnored() {
        fx.set(GROUP, clusters("a"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(ENDPOINT, "", "", "a"));
        DiscoveryResponse first = stream.next();
        fx.set(GROUP, Snapshot.builder().add(CLUSTER, edsCluster("a")).add(CLUSTER, edsCluster("b"))
                .add(ENDPOINT, endpoints("a", 8080, "127.0.1.2")).add(ENDPOINT, endpoints("b", 8080, "127.0.1.3"))
                .build());
        DiscoveryResponse second = stream.next();

        // A request answering the older response (stale nonce), even naming a new resource, gets no answer.
        stream.send(request(ENDPOINT, first.getVersionInfo(), first.getNonce(), "a", "b"));
        stream.expectNothingFor(Duration.ofMillis(200));
        assertThat(fx.counter("pilot_xds_expired_nonce", "eds")).isEqualTo(1);

        // The same change with the current nonce is honoured.
        stream.send(request(ENDPOINT, second.getVersionInfo(), second.getNonce(), "a", "b"));
        assertThat(stream.next().getNonce()).isNotEqualTo(second.getNonce());
    }

    @Test
    void namedSubscriptionGetsOnlyItsNamesAndANewNameIsSentEvenIfUnchanged() {
        fx.set(GROUP, clusters("a", "b", "c"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(ENDPOINT, "", "", "a"));
        DiscoveryResponse first = stream.next();
        assertThat(names(first, ENDPOINT)).containsExactly("a");

        stream.send(request(ENDPOINT, first.getVersionInfo(), first.getNonce(), "a", "b"));
        DiscoveryResponse second = stream.next();
        assertThat(names(second, ENDPOINT)).containsExactly("a", "b");
        assertThat(second.getVersionInfo()).isEqualTo(first.getVersionInfo());

        // A change to a resource it did not ask for sends it nothing.
        stream.send(request(ENDPOINT, second.getVersionInfo(), second.getNonce(), "a", "b"));
        fx.set(GROUP, Snapshot.builder().add(CLUSTER, edsCluster("a")).add(CLUSTER, edsCluster("b"))
                .add(CLUSTER, edsCluster("c")).add(ENDPOINT, endpoints("a", 8080, "127.0.1.1"))
                .add(ENDPOINT, endpoints("b", 8080, "127.0.1.1")).add(ENDPOINT, endpoints("c", 9090, "127.0.1.9"))
                .build());
        stream.expectNothingFor(Duration.ofMillis(300));
    }

    @Test
    void removedClusterIsOmittedFromTheNextCompleteResponse() {
        fx.set(GROUP, clusters("a", "b"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        DiscoveryResponse first = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), first.getNonce()));

        fx.set(GROUP, clusters("a"));

        DiscoveryResponse r = stream.next();
        assertThat(names(r, CLUSTER)).containsExactly("a");
        assertThat(r.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    }

    @Test
    void onePushSendsClustersThenEndpointsThenListenersThenRoutes() {
        Snapshot.Builder b = Snapshot.builder().add(CLUSTER, edsCluster("a"))
                .add(ENDPOINT, endpoints("a", 8080, "127.0.1.1"))
                .add(LISTENER, TestResources.apiListener("l", "r"))
                .add(ROUTE, TestResources.weightedRoute("r", "*", Map.of("a", 1)));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address());
        // Subscribed in the "wrong" order before any snapshot exists: the first push must still be ordered.
        stream.send(request(ROUTE, "", "", "r")).send(request(LISTENER, "", ""))
                .send(request(ENDPOINT, "", "", "a")).send(request(CLUSTER, "", ""));
        fx.awaitStatus(l -> l.size() == 1
                && l.get(0).types().values().stream().filter(TypeSyncStatus::subscribed).count() == 4);
        fx.set(GROUP, b.build());

        assertThat(List.of(stream.next().getTypeUrl(), stream.next().getTypeUrl(), stream.next().getTypeUrl(),
                stream.next().getTypeUrl()))
                .containsExactly(CLUSTER.typeUrl(), ENDPOINT.typeUrl(), LISTENER.typeUrl(), ROUTE.typeUrl());
    }

    @Test
    void clusterUpdateIsFollowedByEndpointsSoEnvoyCanFinishWarming() {
        fx.set(GROUP, clusters("a"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address());
        stream.send(request(CLUSTER, "", ""));
        DiscoveryResponse cds = stream.next();
        stream.send(request(ENDPOINT, "", "", "a"));
        DiscoveryResponse eds = stream.next();
        stream.send(request(CLUSTER, cds.getVersionInfo(), cds.getNonce()));
        stream.send(request(ENDPOINT, eds.getVersionInfo(), eds.getNonce(), "a"));

        fx.set(GROUP, Snapshot.builder().add(CLUSTER, edsCluster("a").toBuilder()
                .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).build())
                .add(ENDPOINT, endpoints("a", 8080, "127.0.1.1")).build());

        assertThat(stream.next().getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
        DiscoveryResponse resent = stream.next();
        assertThat(resent.getTypeUrl()).isEqualTo(ENDPOINT.typeUrl());
        assertThat(resent.getVersionInfo()).isEqualTo(eds.getVersionInfo());
    }

    @Test
    void debounceCoalescesManyChangesIntoOnePush() throws InterruptedException {
        fx.set(GROUP, clusters("a"));
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        DiscoveryResponse first = stream.next();
        stream.send(request(CLUSTER, first.getVersionInfo(), first.getNonce()));
        double pushesBefore = fx.counter("pilot_xds_pushes", "cds");
        Timer convergence = fx.registry.find("pilot_proxy_convergence_time").timer();
        assertThat(convergence.count()).as("a gateway's first response follows no change").isZero();

        // Twenty changes queued back to back (not awaited one by one, so a loaded machine cannot stretch them
        // past the quiet period).
        Snapshot last = null;
        List<io.vertx.core.Future<Void>> sets = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            last = clusters("a", "c" + i);
            sets.add(fx.server.snapshots().setSnapshot(GROUP, last));
        }
        RawAdsStream.await(io.vertx.core.Future.all(sets));

        DiscoveryResponse pushed = stream.next();
        assertThat(pushed.getVersionInfo()).isEqualTo(last.version(CLUSTER));
        stream.expectNothingFor(Duration.ofMillis(300));
        assertThat(fx.counter("pilot_xds_pushes", "cds") - pushesBefore).isEqualTo(1);
        assertThat(fx.registry.find("pilot_debounce_time").timer().count()).isGreaterThanOrEqualTo(1);
        // One push of the coalesced changes, timed from the first of them to the write's completion (which may
        // follow the gateway's reading of it by a moment).
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (convergence.count() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(convergence.count()).isEqualTo(1);
        assertThat(convergence.max(TimeUnit.NANOSECONDS))
                .isGreaterThanOrEqualTo(fx.registry.find("pilot_debounce_time").timer()
                        .max(TimeUnit.NANOSECONDS));
    }

    @Test
    void onlyGatewaysOfTheChangedGroupArePushed() {
        fx.set(GROUP, clusters("a"));
        fx.set("west/ingress", clusters("w"));
        var east = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        var west = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", "").toBuilder()
                .setNode(node("gw-2", "west", GatewayRole.INGRESS)).build());
        DiscoveryResponse e1 = east.next();
        DiscoveryResponse w1 = west.next();
        assertThat(names(w1, CLUSTER)).containsExactly("w");
        east.send(request(CLUSTER, e1.getVersionInfo(), e1.getNonce()));
        west.send(request(CLUSTER, w1.getVersionInfo(), w1.getNonce()));

        fx.set(GROUP, clusters("a", "b"));

        assertThat(names(east.next(), CLUSTER)).containsExactly("a", "b");
        west.expectNothingFor(Duration.ofMillis(300));
    }

    @Test
    void gatewayConnectedBeforeItsGroupHasASnapshotGetsItWhenItArrives() {
        var stream = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        stream.expectNothingFor(Duration.ofMillis(200));

        fx.set(GROUP, clusters("a"));

        assertThat(names(stream.next(), CLUSTER)).containsExactly("a");
    }

    @Test
    void nodeWithoutIstioStyleIdIsRefusedWithTheFieldAndTheFix() {
        var stream = RawAdsStream.sotw(fx.grpc, fx.address());
        stream.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER.typeUrl())
                .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId("just-a-name")).build());

        assertThat(stream.awaitEnd()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
        assertThat(stream.endMessage).contains("id: just-a-name (expected: <router|sidecar>~<ip>~");
        assertThat(fx.statuses()).isEmpty();
    }

    @Test
    void gatewayThatDisconnectsMidPushDoesNotDisturbTheOthers() {
        Snapshot.Builder big = Snapshot.builder();
        for (int i = 0; i < 2000; i++) {
            big.add(CLUSTER, edsCluster("c" + i));
        }
        fx.set(GROUP, clusters("a"));
        var leaving = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", ""));
        var staying = RawAdsStream.sotw(fx.grpc, fx.address()).send(request(CLUSTER, "", "").toBuilder()
                .setNode(node("gw-2", "east", GatewayRole.INGRESS)).build());
        DiscoveryResponse l1 = leaving.next();
        DiscoveryResponse s1 = staying.next();
        leaving.send(request(CLUSTER, l1.getVersionInfo(), l1.getNonce()));
        staying.send(request(CLUSTER, s1.getVersionInfo(), s1.getNonce()));
        fx.awaitStatus(l -> l.size() == 2 && l.stream().allMatch(p -> p.type(CLUSTER).state() == SyncState.SYNCED));

        Snapshot bigSnapshot = big.build();
        fx.set(GROUP, bigSnapshot);
        leaving.cancel(); // gone while the push is being written

        DiscoveryResponse pushed = staying.next();
        assertThat(pushed.getVersionInfo()).isEqualTo(bigSnapshot.version(CLUSTER));
        assertThat(pushed.getResourcesCount()).isEqualTo(2000);
        fx.awaitStatus(l -> l.size() == 1 && l.get(0).proxyName().equals("gw-2.istio-system"));
        assertThat(fx.registry.find("pilot_xds").gauge().value()).isEqualTo(1);

        // The server still serves: the remaining gateway ACKs and a further change reaches it.
        staying.send(request(CLUSTER, pushed.getVersionInfo(), pushed.getNonce()));
        fx.set(GROUP, clusters("a"));
        assertThat(names(staying.next(), CLUSTER)).containsExactly("a");
    }

    @Test
    void endpointsUpdateKeepsUnchangedVersionForOtherTypes() {
        fx.set(GROUP, clusters("a"));
        Snapshot next = Snapshot.builder().add(CLUSTER, edsCluster("a"))
                .add(ENDPOINT, endpoints("a", 8080, "127.0.1.7")).build();
        assertThat(next.version(CLUSTER)).isEqualTo(clusters("a").version(CLUSTER));
        assertThat(next.version(ENDPOINT)).isNotEqualTo(clusters("a").version(ENDPOINT));
        assertThat(next.resources(ENDPOINT).get("a").resource().is(ClusterLoadAssignment.class)).isTrue();
    }
}
