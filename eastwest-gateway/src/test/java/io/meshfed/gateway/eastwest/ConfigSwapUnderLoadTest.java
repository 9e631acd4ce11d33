package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Config swaps under load drop no connection: long-lived passthrough streams keep exchanging bytes and new
 * connections keep succeeding while endpoints, clusters and chains change underneath.
 */
class ConfigSwapUnderLoadTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  static final List<String> ALPN = List.of("istio-peer-exchange", "istio");

  @Test
  void swapsDropNoConnection() throws Exception {
    TestPki mesh = TestPki.create("mesh");
    try (TestNet net = new TestNet();
        TestNet.EchoServer a = net.tlsEcho("127.0.2.61", mesh.issue("spiffe://cluster.local/ns/d/sa/a"), null,
            ALPN, "");
        TestNet.EchoServer b = net.tlsEcho("127.0.2.62", mesh.issue("spiffe://cluster.local/ns/d/sa/b"), null,
            ALPN, "")) {
      EastWestGateway gateway = EastWestGateway.builder().eventLoops(2)
          .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0)).build();
      try {
        assertThat(Await.get(gateway.apply(version(0, a, b))).accepted()).isTrue();
        InetSocketAddress address = gateway.boundAddress("0.0.0.0_15443").orElseThrow();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger roundTrips = new AtomicInteger();
        java.util.concurrent.atomic.AtomicIntegerArray perStream = new java.util.concurrent.atomic.AtomicIntegerArray(6);
        AtomicInteger freshConnections = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> load = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          int id = i;
          load.add(CompletableFuture.runAsync(() -> {
            try (TestClient stream = net.istio(address, SNI, ALPN, null, null)) {
              if (!stream.handshakeSucceeds(WAIT)) {
                failures.add("stream " + id + " handshake failed");
                return;
              }
              for (int n = 0; !stop.get(); n++) {
                String message = "s" + id + "-" + n + ";";
                String echoed = stream.roundTrip(message, 0, WAIT);
                if (!echoed.equals(message)) {
                  failures.add("stream " + id + " got '" + echoed + "' for '" + message + "', open="
                      + stream.isOpen());
                  return;
                }
                roundTrips.incrementAndGet();
                perStream.incrementAndGet(id);
              }
            }
          }));
        }
        load.add(CompletableFuture.runAsync(() -> {
          while (!stop.get()) {
            try (TestClient fresh = net.istio(address, SNI, ALPN, null, null)) {
              if (!fresh.handshakeSucceeds(WAIT) || !fresh.roundTrip("new", 0, WAIT).equals("new")) {
                failures.add("a new connection failed during swaps");
                return;
              }
              freshConnections.incrementAndGet();
            }
          }
        }));
        // At least 40 swaps, and until every stream has crossed ten of them (the machine may be slow).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int version = 1;
        while (version <= 40 || (minimum(perStream) < 10 && System.nanoTime() < deadline)) {
          ApplyResult result = Await.get(gateway.apply(version(version++, a, b)));
          assertThat(result.accepted()).as(result.errorDetail()).isTrue();
          TimeUnit.MILLISECONDS.sleep(10);
        }
        stop.set(true);
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(failures).isEmpty();
        assertThat(minimum(perStream)).isGreaterThanOrEqualTo(10);
        assertThat(freshConnections.get()).isGreaterThan(5);
        assertThat(gateway.stats().flagged(ResponseFlag.UF)).isZero();
        assertThat(gateway.stats().rejected(RejectReason.UNKNOWN_SNI)).isZero();
      } finally {
        gateway.close();
      }
    }
  }

  private static int minimum(java.util.concurrent.atomic.AtomicIntegerArray counts) {
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < counts.length(); i++) {
      min = Math.min(min, counts.get(i));
    }
    return min;
  }

  /** Alternating endpoint sets, a growing number of other services, and the SNI chain moving position. */
  private static XdsResources version(int version, TestNet.EchoServer a, TestNet.EchoServer b) {
    List<io.envoyproxy.envoy.config.listener.v3.FilterChain> chains = new ArrayList<>();
    List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < version % 7; i++) {
      String other = "outbound_.80_._.svc" + i + ".default.svc.cluster.local";
      chains.add(Xds.passthrough(other));
      clusters.add(Xds.eds(other));
    }
    chains.add(version % 2 == 0 ? 0 : chains.size(), Xds.passthrough(SNI));
    clusters.add(Xds.eds(SNI));
    InetSocketAddress[] hosts = switch (version % 3) {
      case 0 -> new InetSocketAddress[] {a.address()};
      case 1 -> new InetSocketAddress[] {a.address(), b.address()};
      default -> new InetSocketAddress[] {b.address()};
    };
    return new XdsResources(String.valueOf(version),
        List.of(Xds.listener(15443, chains.toArray(io.envoyproxy.envoy.config.listener.v3.FilterChain[]::new))),
        List.of(), clusters, List.of(Xds.endpoints(SNI, hosts)), List.of());
  }
}
