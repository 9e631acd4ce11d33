package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How updates take effect: atomically, for new connections only, and never when refused. */
class ApplyTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final List<String> ALPN = List.of("istio-peer-exchange", "istio");

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final TestNet.EchoServer v1 = net.tlsEcho("127.0.2.41", mesh.issue("spiffe://cluster.local/ns/d/sa/v1"),
      null, ALPN, "v1:");
  private final TestNet.EchoServer v2 = net.tlsEcho("127.0.2.42", mesh.issue("spiffe://cluster.local/ns/d/sa/v2"),
      null, ALPN, "v2:");
  private EastWestGateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    v1.close();
    v2.close();
    net.close();
  }

  private EastWestGateway start() {
    gateway = EastWestGateway.builder().eventLoops(1)
        .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0)).build();
    return gateway;
  }

  private static XdsResources to(String version, TestNet.EchoServer backend) {
    return new XdsResources(version, List.of(Xds.listener(15443, Xds.passthrough(SNI))), List.of(),
        List.of(Xds.eds(SNI)), List.of(Xds.endpoints(SNI, backend.address())), List.of());
  }

  private TestClient client() {
    return net.istio(gateway.boundAddress("0.0.0.0_15443").orElseThrow(), SNI, ALPN, null, null);
  }

  private String greet(TestClient client) {
    assertThat(client.handshakeSucceeds(WAIT)).isTrue();
    return client.roundTrip("x", 3, WAIT);
  }

  @Test
  void refusedUpdateLeavesTheLastGoodConfigServing() {
    start();
    assertThat(gateway.notReadyReasons()).containsExactly("no configuration accepted yet");
    assertThat(Await.get(gateway.apply(to("1", v1))).accepted()).isTrue();
    assertThat(gateway.notReadyReasons()).isEmpty();
    XdsResources bad = to("2", v2);
    bad = bad.with("2", ResourceType.LISTENER, List.of(bad.listeners().get(0).toBuilder()
        .setUseOriginalDst(BoolValue.of(true)).build()));
    ApplyResult refused = Await.get(gateway.apply(bad));
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.errors(ResourceType.LISTENER)).hasSize(1);
    assertThat(refused.errors(ResourceType.CLUSTER)).isEmpty();
    try (TestClient client = client()) {
      assertThat(greet(client)).isEqualTo("v1:x");
    }
  }

  @Test
  void establishedConnectionsKeepTheSnapshotTheyStartedWith() {
    start();
    Await.get(gateway.apply(to("1", v1)));
    try (TestClient old = client()) {
      assertThat(greet(old)).isEqualTo("v1:x");
      assertThat(Await.get(gateway.apply(to("2", v2))).accepted()).isTrue();
      try (TestClient fresh = client()) {
        assertThat(greet(fresh)).isEqualTo("v2:x");
      }
      // The old connection still runs, to its old backend.
      assertThat(old.roundTrip("still", 0, WAIT)).isEqualTo("still");
      assertThat(Await.get(gateway.apply(new XdsResources("3", List.of(), List.of(), List.of(), List.of(),
          List.of()))).accepted()).isTrue();
      // Even with its listener gone, the connection lives on; no new one is accepted.
      assertThat(old.roundTrip("alive", 0, WAIT)).isEqualTo("alive");
      assertThat(gateway.boundAddress("0.0.0.0_15443")).isEmpty();
    }
  }

  @Test
  void updateWhoseListenerCannotBindIsRefused() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.2.1"))) {
      gateway = EastWestGateway.builder().eventLoops(1)
          .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0))
          .bind("0.0.0.0_15001", new InetSocketAddress("127.0.2.1", taken.getLocalPort())).build();
      Await.get(gateway.apply(to("1", v1)));
      XdsResources withOutbound = to("2", v1);
      withOutbound = withOutbound.with("2", ResourceType.LISTENER, List.of(withOutbound.listeners().get(0),
          Xds.listener(15001, Xds.passthrough("outbound_.1_._.x.y.svc.cluster.local"))));
      ApplyResult refused = Await.get(gateway.apply(withOutbound));
      assertThat(refused.accepted()).isFalse();
      assertThat(refused.errorDetail()).startsWith("listener 0.0.0.0_15001: address: cannot bind /127.0.2.1:"
          + taken.getLocalPort());
      try (TestClient client = client()) {
        assertThat(greet(client)).isEqualTo("v1:x");
      }
    }
  }

  @Test
  void missingSecretIsReportedAsWarming() {
    start();
    XdsResources terminate = new XdsResources("1", List.of(Xds.listener(15443,
        Xds.terminate(SNI, List.of("cluster.local"), List.of(), Xds.tcpProxy(SNI)))), List.of(),
        List.of(Xds.eds(SNI)), List.of(), List.of());
    ApplyResult result = Await.get(gateway.apply(terminate));
    assertThat(result.accepted()).isTrue();
    assertThat(result.warming()).containsExactly(
        "listener 0.0.0.0_15443 filter_chains[0] waits for Secret default, Secret ROOTCA");
    assertThat(gateway.notReadyReasons()).isEqualTo(result.warming());
    try (TestClient client = client()) {
      assertThat(client.handshakeSucceeds(WAIT)).isFalse();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.NOT_READY) == 1)).isTrue();
  }
}
