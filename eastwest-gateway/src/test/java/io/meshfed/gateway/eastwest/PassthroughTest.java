package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * :15443 in AUTO_PASSTHROUGH mode with real TLS peers on loopback (west = 127.0.2.x): an Istio-style client's mTLS
 * reaches the sidecar-like backend end to end; everything else is closed and counted by reason.
 */
class PassthroughTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final List<String> ISTIO_CLIENT_ALPN = List.of("istio-peer-exchange", "istio");

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private TestNet.EchoServer backend;
  private EastWestGateway gateway;
  private InetSocketAddress address;

  @BeforeEach
  void start() {
    backend = net.tlsEcho("127.0.2.11", mesh.issue("spiffe://cluster.local/ns/default/sa/reviews"), mesh,
        ISTIO_CLIENT_ALPN, "reviews-v1:");
    gateway = EastWestGateway.builder().eventLoops(1).observer(observer)
        .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0)).build();
    ApplyResult result = Await.get(gateway.apply(resources(listener(Xds.seconds(15)))));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    address = gateway.boundAddress("0.0.0.0_15443").orElseThrow();
  }

  @AfterEach
  void stop() {
    gateway.close();
    backend.close();
    net.close();
  }

  private static Listener listener(com.google.protobuf.Duration helloTimeout) {
    return Xds.listener(15443, Xds.passthrough(SNI), Xds.passthrough("outbound_.9080_._.empty.default.svc.cluster.local"),
        Xds.passthrough("outbound_.9080_._.dead.default.svc.cluster.local"))
        .toBuilder().setListenerFiltersTimeout(helloTimeout).build();
  }

  private XdsResources resources(Listener listener) {
    return new XdsResources("1", List.of(listener), List.of(),
        List.of(Xds.eds(SNI), Xds.eds("outbound_.9080_._.empty.default.svc.cluster.local"),
            Xds.eds("outbound_.9080_._.dead.default.svc.cluster.local")),
        List.of(Xds.endpoints(SNI, backend.address()),
            Xds.endpoints("outbound_.9080_._.dead.default.svc.cluster.local",
                new InetSocketAddress("127.0.2.12", 1))),
        List.of());
  }

  private TestClient istioClient(String sni, List<String> alpn) {
    return net.istio(address, sni, alpn, mesh.issue("spiffe://cluster.local/ns/default/sa/productpage"), mesh);
  }

  @Test
  void istioClientReachesTheBackendEndToEnd() {
    try (TestClient client = istioClient(SNI, ISTIO_CLIENT_ALPN)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("hello", "reviews-v1:".length(), WAIT)).isEqualTo("reviews-v1:hello");
      assertThat(client.roundTrip("again", 0, WAIT)).isEqualTo("again");
      // The TLS session is the client's with the backend: the backend saw the Istio SNI, ALPN and client SVID.
      assertThat(backend.serverNames).containsExactly(SNI);
      assertThat(backend.protocols).containsExactly("istio-peer-exchange");
      assertThat(backend.peers).containsExactly("spiffe://cluster.local/ns/default/sa/productpage");
    }
    ConnectionRecord record = observer.connection(r -> r.mode() == Mode.PASSTHROUGH, WAIT);
    assertThat(record).isNotNull();
    assertThat(record.requestedServerName()).isEqualTo(SNI);
    assertThat(record.destinationCluster()).isEqualTo(SNI);
    assertThat(record.upstreamHost()).isEqualTo(backend.address());
    assertThat(record.destination().workload()).isEqualTo("reviews-v1");
    assertThat(record.receivedBytes()).isGreaterThan(200);
    assertThat(record.sentBytes()).isGreaterThan(200);
    assertThat(record.responseFlags()).isEmpty();
    assertThat(record.rejectReason()).isNull();
    assertThat(gateway.stats().activeConnections()).isZero();
  }

  @Test
  void unknownServerNameIsClosedAndCounted() {
    try (TestClient client = istioClient("outbound_.9080_._.ratings.default.svc.cluster.local", ISTIO_CLIENT_ALPN)) {
      assertThat(client.handshakeSucceeds(WAIT)).isFalse();
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.UNKNOWN_SNI) == 1)).isTrue();
    assertThat(backend.connections).hasValue(0);
  }

  @Test
  void clientWithoutAnIstioAlpnIsClosedAndCounted() {
    try (TestClient client = istioClient(SNI, List.of("h2", "http/1.1"))) {
      assertThat(client.handshakeSucceeds(WAIT)).isFalse();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.ALPN_MISMATCH) == 1)).isTrue();
  }

  @Test
  void plaintextBytesAreClosedAndCounted() {
    try (TestClient client = net.plain(address)) {
      client.send("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n");
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.NOT_TLS) == 1)).isTrue();
  }

  @Test
  void malformedHelloIsClosedAndCounted() {
    try (TestClient client = net.plain(address)) {
      // A handshake record whose message is a ServerHello (type 2), not a ClientHello.
      client.send(new byte[] {0x16, 0x03, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x02, 0x03, 0x03});
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.MALFORMED_HELLO) == 1)).isTrue();
  }

  @Test
  void oversizedHelloIsClosedAndCounted() {
    try (TestClient client = net.plain(address)) {
      // A ClientHello that announces 70,000 bytes: beyond the 64 KiB bound before any of it arrives.
      client.send(new byte[] {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x01, 0x11, 0x70});
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.HELLO_TOO_LARGE) == 1)).isTrue();
  }

  @Test
  void incompleteHellosTimeOutWithoutHoldingTheOnlyEventLoop() {
    Await.get(gateway.apply(resources(listener(Xds.millis(300)))));
    List<TestClient> stalled = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      // A record header promising 100 bytes, then nothing more.
      stalled.add(net.plain(address).send(new byte[] {0x16, 0x03, 0x01, 0x00, 0x64, 0x01}));
    }
    // One event loop serves the gateway: a full exchange while 50 hellos hang proves none holds it.
    try (TestClient client = istioClient(SNI, ISTIO_CLIENT_ALPN)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("ping", "reviews-v1:".length(), WAIT)).isEqualTo("reviews-v1:ping");
    }
    for (TestClient client : stalled) {
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(RejectReason.HELLO_TIMEOUT) == 50)).isTrue();
  }

  @Test
  void clusterWithoutEndpointsClosesWithNoHealthyUpstream() {
    try (TestClient client = istioClient("outbound_.9080_._.empty.default.svc.cluster.local", ISTIO_CLIENT_ALPN)) {
      assertThat(client.handshakeSucceeds(WAIT)).isFalse();
    }
    ConnectionRecord record = observer.connection(r -> r.responseFlags().contains(ResponseFlag.UH), WAIT);
    assertThat(record).isNotNull();
    assertThat(gateway.stats().flagged(ResponseFlag.UH)).isEqualTo(1);
  }

  @Test
  void refusedUpstreamClosesWithUpstreamFailure() {
    try (TestClient client = istioClient("outbound_.9080_._.dead.default.svc.cluster.local", ISTIO_CLIENT_ALPN)) {
      assertThat(client.handshakeSucceeds(WAIT)).isFalse();
    }
    ConnectionRecord record = observer.connection(r -> r.responseFlags().contains(ResponseFlag.UF), WAIT);
    assertThat(record).isNotNull();
    assertThat(record.details()).contains("127.0.2.12");
  }
}
