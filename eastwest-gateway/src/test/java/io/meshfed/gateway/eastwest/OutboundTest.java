package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.HttpBackend;
import io.meshfed.gateway.eastwest.fixtures.HttpTestClient;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound listener (:15001, Consul's local mesh gateway mode) across three simulated clusters: east
 * (127.0.1.x, the gateway under test), west (127.0.2.x) and a third (127.0.3.x), each remote one with its own
 * east-west gateway. Plaintext HTTP in, Istio mTLS out to the best remote gateway; when west's gateway dies, requests
 * fail over to the third cluster and outlier detection ejects west.
 */
class OutboundTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String REVIEWS_SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String RATINGS_SNI = "outbound_.9080_._.ratings.default.svc.cluster.local";
  static final String EAST_GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/eastwest-east";
  static final List<String> DOMAINS = List.of("cluster.local");

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private HttpBackend westReviews;
  private HttpBackend thirdReviews;
  private TestNet.EchoServer westRatings;
  private EastWestGateway west;
  private EastWestGateway third;
  private EastWestGateway east;
  private InetSocketAddress outbound;

  @BeforeEach
  void start() {
    westReviews = new HttpBackend(net.group(), "127.0.2.31", "reviews-west", null);
    thirdReviews = new HttpBackend(net.group(), "127.0.3.31", "reviews-third", null);
    westRatings = net.tlsEcho("127.0.2.32", mesh.issue("spiffe://cluster.local/ns/default/sa/ratings"), mesh,
        List.of("istio"), "ratings-west:");
    west = remoteGateway("127.0.2.1", westReviews, "west");
    third = remoteGateway("127.0.3.1", thirdReviews, "third");
    InetSocketAddress westAddress = west.boundAddress("0.0.0.0_15443").orElseThrow();
    InetSocketAddress thirdAddress = third.boundAddress("0.0.0.0_15443").orElseThrow();

    east = EastWestGateway.builder().eventLoops(1).observer(observer)
        .bind("0.0.0.0_15001", new InetSocketAddress("127.0.1.1", 0)).build();
    Listener listener = Listener.newBuilder().setName("0.0.0.0_15001").setAddress(Xds.address("0.0.0.0", 15001))
        .addListenerFilters(Xds.tlsInspector())
        .addFilterChains(FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer"))
            .addFilters(Xds.httpConnectionManager("outbound.15001")))
        .addFilterChains(FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls").addServerNames(RATINGS_SNI))
            .addFilters(Xds.tcpProxy(RATINGS_SNI)))
        .build();
    ApplyResult result = Await.get(east.apply(new XdsResources("1", List.of(listener),
        List.of(Xds.routes("outbound.15001", Map.of(List.of("reviews", "reviews:9080", "reviews.default",
            "reviews.default:9080", "reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local:9080"),
            REVIEWS))),
        List.of(Xds.edsWithIstioTls(REVIEWS, REVIEWS_SNI, DOMAINS).toBuilder()
                .setOutlierDetection(Xds.outlier(2, 30)).build(),
            Xds.eds(RATINGS_SNI)),
        List.of(Xds.prioritized(REVIEWS, true, westAddress, thirdAddress),
            Xds.endpoints(RATINGS_SNI, westAddress)),
        List.of(Xds.certificate("default", mesh.issue(EAST_GATEWAY)), Xds.roots("ROOTCA", mesh)))));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    outbound = east.boundAddress("0.0.0.0_15001").orElseThrow();
  }

  /** A remote cluster's gateway: terminates reviews (admitting only east's gateway), passes ratings through. */
  private EastWestGateway remoteGateway(String ip, HttpBackend reviews, String name) {
    EastWestGateway gateway = EastWestGateway.builder().eventLoops(1)
        .bind("0.0.0.0_15443", new InetSocketAddress(ip, 0)).build();
    ApplyResult result = Await.get(gateway.apply(new XdsResources("1",
        List.of(Xds.listener(15443,
            Xds.terminate(REVIEWS_SNI, DOMAINS,
                List.of(Xds.rbac(RBAC.Action.ALLOW, "ns[default]-policy[from-east]-rule[0]", List.of(EAST_GATEWAY))),
                Xds.httpConnectionManager("inbound.9080")),
            Xds.passthrough(RATINGS_SNI))),
        List.of(Xds.routes("inbound.9080", Map.of(List.of("*"), "reviews-local"))),
        List.of(Xds.eds("reviews-local"), Xds.eds(RATINGS_SNI)),
        List.of(Xds.endpoints("reviews-local", reviews.address()), Xds.endpoints(RATINGS_SNI, westRatings.address())),
        List.of(Xds.certificate("default", mesh.issue("spiffe://cluster.local/ns/istio-system/sa/eastwest-" + name)),
            Xds.roots("ROOTCA", mesh)))));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    return gateway;
  }

  @AfterEach
  void stop() {
    east.close();
    west.close();
    third.close();
    westReviews.close();
    thirdReviews.close();
    westRatings.close();
    net.close();
  }

  @Test
  void plaintextHttpReachesTheRemoteServiceOverIstioMtls() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), outbound, null, null, false)) {
      HttpTestClient.Response response = client.get("reviews.default:9080", "/reviews/1");
      assertThat(response.status()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).startsWith("reviews-west GET /reviews/1 host=reviews.default:9080");
    }
    RequestRecord record = observer.request(r -> r.path().equals("/reviews/1"), WAIT);
    assertThat(record.mode()).isEqualTo(Mode.PLAINTEXT_HTTP);
    assertThat(record.destinationCluster()).isEqualTo(REVIEWS);
    assertThat(record.upstreamHost()).isEqualTo(west.boundAddress("0.0.0.0_15443").orElseThrow());
  }

  @Test
  void unknownHostIsNoRoute() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), outbound, null, null, false)) {
      HttpTestClient.Response response = client.get("details:9080", "/");
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.headers().get("x-meshfed-flags")).isEqualTo("NR");
    }
  }

  @Test
  void requestsFailOverWhenTheNearestRemoteGatewayDies() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), outbound, null, null, false)) {
      assertThat(client.get("reviews", "/before").body()).startsWith("reviews-west");
      west.close();
      for (int i = 0; i < 5; i++) {
        HttpTestClient.Response response = client.get("reviews", "/after/" + i);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("reviews-third GET /after/" + i);
      }
    }
    // The first request after west died retried on the third cluster's gateway...
    RequestRecord first = observer.request(r -> r.path().equals("/after/0"), WAIT);
    assertThat(first.attempts()).isEqualTo(2);
    assertThat(first.responseFlags()).isEmpty();
    // ...and after two consecutive failures west is ejected: later requests go straight to the third cluster.
    RequestRecord later = observer.request(r -> r.path().equals("/after/4"), WAIT);
    assertThat(later.attempts()).isEqualTo(1);
    assertThat(later.upstreamHost()).isEqualTo(third.boundAddress("0.0.0.0_15443").orElseThrow());
  }

  @Test
  void workloadMtlsIsForwardedUntouchedToTheRemoteGateway() {
    try (TestClient client = net.istio(outbound, RATINGS_SNI, List.of("istio-peer-exchange", "istio"),
        mesh.issue("spiffe://cluster.local/ns/default/sa/legacy-client"), mesh)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("stars", "ratings-west:".length(), WAIT)).isEqualTo("ratings-west:stars");
    }
    // End-to-end TLS: the backend saw the workload's own identity, not a gateway's.
    assertThat(westRatings.peers).containsExactly("spiffe://cluster.local/ns/default/sa/legacy-client");
  }
}
