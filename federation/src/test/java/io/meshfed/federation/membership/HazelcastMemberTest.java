package io.meshfed.federation.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import io.meshfed.federation.relay.FederationTls;
import io.meshfed.federation.relay.RelayPeer;
import io.meshfed.federation.relay.TestPki;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HazelcastMemberTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<HazelcastMember> members = new ArrayList<>();
  private final String mesh = "test-" + UUID.randomUUID();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final TestPki pki = new TestPki("mesh root");

  @AfterEach
  void stop() throws Exception {
    for (HazelcastMember member : members) {
      member.hazelcast().getLifecycleService().terminate();
      member.relay().ifPresent(relay -> relay.close());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HazelcastMember start(MemberSettings settings) throws Exception {
    HazelcastMember member = await(HazelcastMember.start(vertx, settings, meters));
    members.add(member);
    return member;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, Duration.ofSeconds(60));
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out: %s", what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private MemberSettings loopback(String meshId, String name, int port, int... peers) {
    List<InetSocketAddress> all = new ArrayList<>();
    for (int peer : peers) {
      all.add(new InetSocketAddress("127.0.0.1", peer));
    }
    return MemberSettings.of(meshId, name, new Membership.Loopback(new InetSocketAddress("127.0.0.1", port), all))
        .withMemberTimeout(Duration.ofSeconds(4)).withMergeInterval(Duration.ofSeconds(2)).withBackups(1);
  }

  @Test
  void loopbackMembersFormOneClusterNamedAfterTheMesh() throws Exception {
    int a = FreePorts.onLoopback();
    int b = FreePorts.onLoopback();
    int c = FreePorts.onLoopback();
    start(loopback(mesh, "east", a, a, b, c));
    start(loopback(mesh, "west", b, a, b, c));
    HazelcastMember third = start(loopback(mesh, "third", c, a, b, c));

    eventually("three members", () -> third.hazelcast().getCluster().getMembers().size() == 3);
    assertThat(third.hazelcast().getConfig().getClusterName()).isEqualTo(mesh);
  }

  @Test
  void aMemberOfAnotherMeshIsReportedNotSilentlyIgnored() throws Exception {
    int a = FreePorts.onLoopback();
    int b = FreePorts.onLoopback();
    HazelcastMember first = start(loopback(mesh, "east", a, a, b));
    HazelcastMember stranger = start(loopback("other-" + suffix, "west", b, a, b));

    eventually("mismatch reported", () -> !first.meshMismatches().isEmpty() || !stranger.meshMismatches().isEmpty());
    List<MeshMismatch> all = new ArrayList<>(first.meshMismatches());
    all.addAll(stranger.meshMismatches());
    assertThat(all).first().satisfies(m -> assertThat(m.detail()).contains("another mesh"));
    assertThat(first.hazelcast().getCluster().getMembers()).hasSize(1);
    assertThat(meters.find("meshfed_federation_mesh_mismatch_total").counter().count()).isPositive();
  }

  @Test
  void relayedMembersFindPeersAddedAtRuntime() throws Exception {
    HazelcastMember east = start(relayed(mesh, "east", "127.0.1.1", List.of()));
    HazelcastMember west = start(relayed(mesh, "west", "127.0.2.1", List.of()));
    assertThat(east.hazelcast().getCluster().getMembers()).hasSize(1);
    assertThat(east.hazelcast().getConfig().getNetworkConfig().getInterfaces().getInterfaces())
        .containsExactly("127.0.0.1");

    // Remote-cluster Secrets announce each relay to the other at runtime (multi-primary: each cluster holds the
    // other's Secret).
    await(east.setPeers(List.of(new RelayPeer("west-" + suffix, "127.0.2.1", west.relay().orElseThrow().port()))));
    await(west.setPeers(List.of(new RelayPeer("east-" + suffix, "127.0.1.1", east.relay().orElseThrow().port()))));

    eventually("east and west merged through their relays",
        () -> east.hazelcast().getCluster().getMembers().size() == 2
            && west.hazelcast().getCluster().getMembers().size() == 2);

  }

  @Test
  void aRelayedMemberOfAnotherMeshIsRefusedWithBothMeshIdsNamed() throws Exception {
    HazelcastMember west = start(relayed(mesh, "west", "127.0.2.1", List.of()));
    HazelcastMember stranger = start(relayed("other-" + suffix, "stranger", "127.0.3.1",
        List.of(new RelayPeer("west-" + suffix, "127.0.2.1", west.relay().orElseThrow().port()))));

    eventually("west reports the stranger", () -> !west.meshMismatches().isEmpty());
    assertThat(west.meshMismatches().get(0).detail()).contains("belongs to mesh other-" + suffix, mesh);
    eventually("the stranger reports being refused", () -> !stranger.meshMismatches().isEmpty());
    assertThat(stranger.meshMismatches().get(0).detail()).contains("refused this member");
    assertThat(west.hazelcast().getCluster().getMembers()).hasSize(1);
  }

  private MemberSettings relayed(String meshId, String name, String host, List<RelayPeer> peers) {
    FederationTls tls = pki.svid("spiffe://test.local/ns/istio-system/sa/meshfed-" + name, "test.local");
    return MemberSettings.of(meshId, name + "-" + suffix,
            new Membership.Relayed(host, 0, FreePorts.onLoopback(), peers, tls))
        .withMemberTimeout(Duration.ofSeconds(4)).withMergeInterval(Duration.ofSeconds(2));
  }

  @Test
  void kubernetesDiscoveryIsConfiguredButNeedsARealCluster() {
    // Hazelcast's Kubernetes discovery asks the in-cluster API for the Service's pods: only the configuration can
    // be checked here.
    Config config = HazelcastConfigs.build(MemberSettings.of(mesh, "east",
        new Membership.Kubernetes("istio-system", "meshfed-federation", 5701)), null, null);

    assertThat(config.getClusterName()).isEqualTo(mesh);
    var kubernetes = config.getNetworkConfig().getJoin().getKubernetesConfig();
    assertThat(kubernetes.isEnabled()).isTrue();
    assertThat(kubernetes.getProperties()).containsEntry("namespace", "istio-system")
        .containsEntry("service-name", "meshfed-federation");
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
  }

  @Test
  void directMembershipRefusesAddressesOffThisHost() {
    assertThatThrownBy(() -> new Membership.Loopback(new InetSocketAddress("127.0.0.1", 5701),
        List.of(new InetSocketAddress("192.0.2.10", 5701))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("members: /192.0.2.10:5701 (expected: a loopback address");
  }
}
