package io.meshfed.trust.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.trust.RejectReason;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.SvidProvider;
import io.meshfed.trust.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshTlsTest {

  private static final TestPki PKI = new TestPki("cluster.local", "other.mesh");
  private static final Svid SERVER = PKI.svid("istio-system", "eastwest-gateway");
  private static final Svid CLIENT = PKI.svid("bookinfo", "productpage");

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void mutualTlsOverBoringSslWithSpiffeIdentitiesOnBothSides() throws Exception {
    MeshTls serverTls = MeshTls.builder(SvidProvider.fixed(SERVER), registry).serverAlpn(MeshTls.ISTIO_ALPN).build();
    CompletableFuture<SpiffeId> clientSeenByServer = new CompletableFuture<>();
    NetServer server = vertx.createNetServer(serverTls.netServerOptions()).connectHandler(socket -> {
      try {
        clientSeenByServer.complete(MeshTls.peerIdentity(socket.sslSession()));
      } catch (Exception e) {
        clientSeenByServer.completeExceptionally(e);
      }
      socket.handler(socket::write);
    });
    int port = await(server.listen(0, "127.0.0.1")).actualPort();

    MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(CLIENT), registry)
        .clientAlpn(java.util.List.of("istio-peer-exchange")).build();
    NetSocket socket = await(vertx.createNetClient(clientTls.netClientOptions()).connect(port, "127.0.0.1"));
    assertThat(echo(socket, "hello")).isEqualTo("hello");

    assertThat(socket.sslSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(socket.sslSession().getClass().getName()).contains("OpenSsl");
    assertThat(socket.applicationLayerProtocol()).isEqualTo("istio-peer-exchange");
    assertThat(MeshTls.peerIdentity(socket.sslSession())).isEqualTo(SERVER.spiffeId());
    assertThat(clientSeenByServer.get(10, TimeUnit.SECONDS)).isEqualTo(CLIENT.spiffeId());
    assertThat(registry.get("meshfed_tls_peer_verified").tag("side", "server").counter().count()).isEqualTo(1);
    assertThat(registry.get("meshfed_tls_peer_verified").tag("side", "client").counter().count()).isEqualTo(1);
  }

  @Test
  void clientFromAForeignMeshIsRefusedAndCountedByReason() throws Exception {
    MeshTls serverTls = MeshTls.builder(SvidProvider.fixed(SERVER), registry).build();
    NetServer server = vertx.createNetServer(serverTls.netServerOptions())
        .connectHandler(socket -> socket.handler(socket::write));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();

    TestPki foreign = new TestPki("cluster.local");
    Svid intruder = foreign.svid("bookinfo", "productpage");
    // The intruder trusts our root so that only the server's check can stop it.
    Svid intruderTrustingUs = new Svid(intruder.privateKey(), intruder.chain(),
        intruder.bundle().withAdditionalRoots(PKI.bundle.roots()));
    MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(intruderTrustingUs), new SimpleMeterRegistry()).build();
    assertConnectionRefused(() -> vertx.createNetClient(clientTls.netClientOptions()).connect(port, "127.0.0.1"));
    waitForCount("server", RejectReason.FOREIGN_ROOT);
  }

  @Test
  void serverFromTheRightRootButAWrongTrustDomainIsRefused() throws Exception {
    Svid otherDomain = PKI.svid(SpiffeId.parse("spiffe://other.mesh/ns/istio-system/sa/gateway"),
        Duration.ofHours(1));
    MeshTls serverTls = MeshTls.builder(SvidProvider.fixed(otherDomain), registry).build();
    NetServer server = vertx.createNetServer(serverTls.netServerOptions())
        .connectHandler(socket -> socket.handler(socket::write));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();

    // This client accepts cluster.local only, under the very same root.
    Svid strictClient = new Svid(CLIENT.privateKey(), CLIENT.chain(),
        io.meshfed.trust.TrustBundle.builder("cluster.local").addRoot(PKI.root).build());
    MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(strictClient), registry).build();
    Throwable failure = connectFailure(vertx.createNetClient(clientTls.netClientOptions()).connect(port, "127.0.0.1"));
    assertThat(PeerRejectedException.find(failure)).hasValueSatisfying(
        rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.WRONG_TRUST_DOMAIN));
    waitForCount("client", RejectReason.WRONG_TRUST_DOMAIN);
  }

  @Test
  void authorizerRefusesVerifiedButUnwantedIdentities() throws Exception {
    MeshTls serverTls = MeshTls.builder(SvidProvider.fixed(SERVER), registry)
        .authorizePeers(peer -> peer.namespace().equals("istio-system")).build();
    NetServer server = vertx.createNetServer(serverTls.netServerOptions())
        .connectHandler(socket -> socket.handler(socket::write));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(CLIENT), new SimpleMeterRegistry()).build();
    assertConnectionRefused(() -> vertx.createNetClient(clientTls.netClientOptions()).connect(port, "127.0.0.1"));
    waitForCount("server", RejectReason.UNAUTHORIZED_IDENTITY);
  }

  @Test
  void httpServerAndClientNegotiateHttp2ByAlpn() throws Exception {
    MeshTls serverTls = MeshTls.builder(SvidProvider.fixed(SERVER), registry).build();
    HttpServer server = vertx.createHttpServer(serverTls.httpServerOptions())
        .requestHandler(request -> request.response().end(request.version().name()));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    MeshTls clientTls = MeshTls.builder(SvidProvider.fixed(CLIENT), registry).build();
    HttpClientAgent client = vertx.createHttpClient(clientTls.httpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2));
    String version = await(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(port).setURI("/")).compose(request -> request.send().compose(response -> response.body())))
        .toString();
    assertThat(version).isEqualTo("HTTP_2");
  }

  private static String echo(NetSocket socket, String text) throws Exception {
    CompletableFuture<String> echoed = new CompletableFuture<>();
    socket.handler(buffer -> echoed.complete(buffer.toString()));
    socket.write(Buffer.buffer(text));
    return echoed.get(10, TimeUnit.SECONDS);
  }

  /** With TLS 1.3 the client may finish its side first; the server's refusal then closes the connection. */
  private static void assertConnectionRefused(java.util.function.Supplier<Future<NetSocket>> connect)
      throws Exception {
    NetSocket socket;
    try {
      socket = connect.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException refusedDuringHandshake) {
      return;
    }
    CompletableFuture<String> outcome = new CompletableFuture<>();
    socket.handler(buffer -> outcome.complete("echoed " + buffer));
    socket.closeHandler(v -> outcome.complete("closed"));
    socket.exceptionHandler(e -> outcome.complete("closed"));
    // The server may close before the handlers above are set; a write on a closed socket fails, so keep writing.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!outcome.isDone() && System.nanoTime() < deadline) {
      socket.write(Buffer.buffer("data")).onFailure(e -> outcome.complete("closed"));
      try {
        outcome.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillOpen) {
        // try again
      }
    }
    assertThat(outcome.getNow("neither refused nor echoed")).isEqualTo("closed");
  }

  private static Throwable connectFailure(Future<NetSocket> connect) throws Exception {
    try {
      connect.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the handshake to fail");
  }

  private void waitForCount(String side, RejectReason reason) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (registry.find("meshfed_tls_peer_rejected").tag("side", side).tag("reason", reason.tag()).counter() == null
        || registry.get("meshfed_tls_peer_rejected").tag("side", side).tag("reason", reason.tag()).counter()
        .count() < 1) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + side + " rejection counted for " + reason.tag());
      }
      Thread.sleep(10);
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
