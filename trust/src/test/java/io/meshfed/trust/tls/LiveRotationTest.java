package io.meshfed.trust.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TestPki;
import io.meshfed.trust.rotation.RotatingSvid;
import io.meshfed.trust.rotation.RotationPolicy;
import io.meshfed.trust.rotation.SvidSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A TLS server and client rotate their SVIDs while a client streams requests, over kept-alive connections and over
 * a fresh connection per request: no request fails, kept-alive connections survive, and new handshakes see the new
 * certificates.
 */
class LiveRotationTest {

  private static final TestPki PKI = new TestPki("cluster.local");
  private static final int ROTATIONS = 8;
  /** Requests completed between two rotations: the test is paced by traffic, not by the clock (CI is loaded). */
  private static final int REQUESTS_PER_ROTATION = 12;

  private static final Set<HttpConnection> CLOSED_DURING_TRAFFIC = ConcurrentHashMap.newKeySet();

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void rotationUnderLiveTrafficFailsNoRequest() throws Exception {
    RotatingSvid serverSvid = holder(SpiffeId.parse("spiffe://cluster.local/ns/istio-system/sa/ingress"));
    RotatingSvid clientSvid = holder(SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/productpage"));
    await(serverSvid.start());
    await(clientSvid.start());

    MeshTls serverTls = MeshTls.builder(serverSvid, registry).build();
    MeshTls clientTls = MeshTls.builder(clientSvid, registry).build();
    Set<String> clientsSeenByServer = ConcurrentHashMap.newKeySet();
    HttpServer server = vertx.createHttpServer(serverTls.httpServerOptions()).requestHandler(request -> {
      try {
        clientsSeenByServer.add(((X509Certificate) request.connection().peerCertificates().get(0))
            .getSerialNumber().toString(16));
        request.response().end("ok");
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        request.response().setStatusCode(500).end(e.getMessage());
      }
    });
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    serverTls.bind(server);

    HttpClientAgent keptAlive = vertx.createHttpClient(clientTls.httpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(2));
    HttpClientAgent fresh = vertx.createHttpClient(clientTls.httpClientOptions().setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(4));
    clientTls.bind(keptAlive);
    clientTls.bind(fresh);

    AtomicInteger sent = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Set<String> serverSerialsOnNewConnections = ConcurrentHashMap.newKeySet();
    Set<HttpConnection> keptAliveConnections = ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);

    Runnable[] streams = new Runnable[2];
    streams[0] = () -> stream(keptAlive, port, running, sent, ok, failed, null, keptAliveConnections, streams[0]);
    streams[1] = () -> stream(fresh, port, running, sent, ok, failed, serverSerialsOnNewConnections, null,
        streams[1]);
    for (int i = 0; i < 2; i++) {
      vertx.runOnContext(v -> streams[0].run());
      vertx.runOnContext(v -> streams[1].run());
    }

    int rotations = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (rotations < ROTATIONS && System.nanoTime() < deadline) {
      int before = ok.get() + failed.get();
      while (ok.get() + failed.get() < before + REQUESTS_PER_ROTATION && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      await(rotations % 2 == 0 ? serverSvid.rotateNow() : clientSvid.rotateNow());
      rotations++;
    }
    // Some traffic after the last rotation too, then stop and let in-flight requests finish.
    int before = ok.get() + failed.get();
    while (ok.get() + failed.get() < before + REQUESTS_PER_ROTATION && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    running.set(false);
    while (ok.get() + failed.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertThat(failed.get()).as("failed requests out of %d", sent.get()).isZero();
    assertThat(ok.get()).isEqualTo(sent.get()).isGreaterThanOrEqualTo((ROTATIONS + 1) * REQUESTS_PER_ROTATION);
    assertThat(rotations).isEqualTo(ROTATIONS);
    assertThat(serverSerialsOnNewConnections).as("server certificates seen on new connections")
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(clientsSeenByServer).as("client certificates seen by the server").hasSizeGreaterThanOrEqualTo(3);
    assertThat(CLOSED_DURING_TRAFFIC).as("kept-alive connections closed while traffic ran").isEmpty();
    // A server rotation never costs the client a connection; a client rotation moves new requests to a pool with the
    // new certificate (Vert.x keys pools by SSL options) while the old connections stay open.
    assertThat(keptAliveConnections).hasSizeLessThanOrEqualTo(2 * (1 + ROTATIONS / 2));
    assertThat(registry.get("meshfed_tls_reloads").tag("result", "ok").counter().count())
        .isGreaterThanOrEqualTo(rotations);
  }

  private static void stream(HttpClientAgent client, int port, java.util.concurrent.atomic.AtomicBoolean running,
      AtomicInteger sent, AtomicInteger ok, AtomicInteger failed, Set<String> serverSerials,
      Set<HttpConnection> connections, Runnable next) {
    if (!running.get()) {
      return;
    }
    sent.incrementAndGet();
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/"))
        .compose(request -> request.send().compose(response -> {
          try {
            if (serverSerials != null) {
              serverSerials.add(((X509Certificate) request.connection().peerCertificates().get(0))
                  .getSerialNumber().toString(16));
            }
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          if (connections != null && connections.add(request.connection())) {
            request.connection().closeHandler(v -> {
              if (running.get()) {
                CLOSED_DURING_TRAFFIC.add(request.connection());
              }
            });
          }
          return response.body();
        }))
        .onComplete(result -> {
          if (result.succeeded() && result.result().toString().equals("ok")) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
            org.slf4j.LoggerFactory.getLogger(LiveRotationTest.class).error("request failed", result.cause());
          }
          next.run();
        });
  }

  private RotatingSvid holder(SpiffeId id) {
    SvidSource source = () -> vertx.executeBlocking(() -> PKI.svid(id, Duration.ofHours(1)), false);
    return RotatingSvid.create(vertx, source, RotationPolicy.DEFAULT, registry);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
