package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Graceful drain (SIGTERM): stop accepting, finish what was started, close the rest at the deadline. */
class DrainTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String SNI = "outbound_.9000_._.echo.default.svc.cluster.local";

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private HttpBackend backend;
  private TestNet.EchoServer echo;
  private EastWestGateway gateway;
  private InetSocketAddress http;
  private InetSocketAddress tls;

  @BeforeEach
  void start() {
    backend = new HttpBackend(net.group(), "127.0.1.51", "backend", null);
    echo = net.tlsEcho("127.0.1.52", mesh.issue("spiffe://cluster.local/ns/default/sa/echo"), null,
        List.of("istio"), "");
    gateway = EastWestGateway.builder().eventLoops(2).observer(observer)
        .bind("0.0.0.0_15001", new InetSocketAddress("127.0.1.1", 0))
        .bind("0.0.0.0_15443", new InetSocketAddress("127.0.1.1", 0)).build();
    Listener outbound = Listener.newBuilder().setName("0.0.0.0_15001").setAddress(Xds.address("0.0.0.0", 15001))
        .addFilterChains(FilterChain.newBuilder().addFilters(Xds.httpConnectionManager("outbound.15001"))).build();
    ApplyResult result = Await.get(gateway.apply(new XdsResources("1",
        List.of(outbound, Xds.listener(15443, Xds.passthrough(SNI))),
        List.of(Xds.routes("outbound.15001", Map.of(List.of("*"), "backend"))),
        List.of(Xds.eds("backend"), Xds.eds(SNI)),
        List.of(Xds.endpoints("backend", backend.address()), Xds.endpoints(SNI, echo.address())), List.of())));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    http = gateway.boundAddress("0.0.0.0_15001").orElseThrow();
    tls = gateway.boundAddress("0.0.0.0_15443").orElseThrow();
  }

  @AfterEach
  void stop() {
    gateway.close();
    backend.close();
    echo.close();
    net.close();
  }

  @Test
  void drainUnderLoadLosesNoCompletedRequest() throws Exception {
    int clients = 6;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger completed = new AtomicInteger();
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    CountDownLatch warm = new CountDownLatch(clients * 5);
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int id = c;
      loops.add(CompletableFuture.runAsync(() -> {
        int n = 0;
        while (!stop.get()) {
          HttpTestClient client;
          try {
            client = HttpTestClient.connect(net.group(), http, null, null, false);
          } catch (RuntimeException refused) {
            // Drained: the listener no longer accepts.
            return;
          }
          try (client) {
            while (!stop.get() && client.isOpen()) {
              String path = "/delay/20?c=" + id + "&n=" + n++;
              HttpTestClient.Response response;
              try {
                response = client.get("backend", path);
              } catch (IllegalStateException closed) {
                // The gateway closed an idle connection before reading this request: not a lost request.
                break;
              }
              if (response.status() != 200 || !response.body().contains(path)) {
                wrong.add(response.status() + " " + response.body());
              }
              completed.incrementAndGet();
              warm.countDown();
              if ("close".equals(response.headers().get("connection"))) {
                break;
              }
            }
          }
        }
      }));
    }
    assertThat(warm.await(20, TimeUnit.SECONDS)).as("completed %s, records %s, wrong %s", completed,
        observer.requests, wrong).isTrue();
    DrainResult drained = Await.get(gateway.drain(Duration.ofSeconds(5)));
    stop.set(true);
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    assertThat(wrong).isEmpty();
    assertThat(drained.forced()).isZero();
    assertThat(gateway.stats().activeConnections()).isZero();
    // Every request the gateway started, it completed: its records, the backend's count and the clients' agree.
    assertThat(Await.until(WAIT, () -> observer.requests.size() == completed.get())).isTrue();
    assertThat(observer.requests).allSatisfy(record -> {
      assertThat(record.status()).isEqualTo(200);
      assertThat(record.responseFlags()).isEmpty();
    });
    assertThat(backend.requests.get()).isEqualTo(completed.get());
    assertThat(gateway.notReadyReasons()).contains("draining");
  }

  @Test
  void tcpStreamsRunUntilTheDeadlineThenClose() {
    try (TestClient client = net.istio(tls, SNI, List.of("istio"), null, null)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      CompletableFuture<DrainResult> drain = gateway.drain(Duration.ofMillis(500)).toCompletableFuture();
      // Draining: new connections are refused, the established stream keeps working.
      assertThat(Await.until(WAIT, () -> gateway.boundAddress("0.0.0.0_15443").isEmpty())).isTrue();
      assertThat(client.roundTrip("during drain", 0, WAIT)).isEqualTo("during drain");
      DrainResult result = Await.get(drain);
      assertThat(result.forced()).isEqualTo(1);
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
  }
}
