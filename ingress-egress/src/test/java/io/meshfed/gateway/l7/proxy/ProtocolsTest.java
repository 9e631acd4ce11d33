package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.RawHttp;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Protocols through the proxy: HTTP/1.1, h2c both ways, gRPC trailers, WebSocket upgrade, HTTPS redirect. */
class ProtocolsTest extends EngineTestBase {

  private int serve(Cluster cluster) throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", cluster.getName()))
        .cluster(cluster).build());
    return port("l");
  }

  @Test
  void servesH2cWithPriorKnowledgeToAnHttp11Upstream() throws Exception {
    Backend backend = backend("b");
    int port = serve(Xds.staticCluster("c", "127.0.0.1", backend.port()));

    try (Http h2c = closeLater(Http.h2c(vertx))) {
      Http.Response response = h2c.get(port, "h", "/x");
      assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.json().getString("version")).isEqualTo("HTTP_1_1");
    }
    assertThat(outcomes.nth(1).protocol()).isEqualTo("HTTP/2");
  }

  @Test
  void speaksHttp2ToHttp2Clusters() throws Exception {
    Backend backend = closeLater(Backend.start(vertx, "h2", "127.0.0.1", new HttpServerOptions()
        .setHttp2ClearTextEnabled(true)));
    Cluster cluster = Xds.staticCluster("c", "127.0.0.1", backend.port()).toBuilder()
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            Xds.http2Options()).build();
    int port = serve(cluster);

    for (int i = 0; i < 3; i++) {
      Http.Response response = http.send(HttpMethod.POST, port, "h", "/items", "body-" + i);
      assertThat(response.json().getString("version")).isEqualTo("HTTP_2");
      assertThat(response.json().getString("body")).isEqualTo("body-" + i);
    }
  }

  @Test
  void carriesGrpcTrailersEndToEnd() throws Exception {
    Backend backend = closeLater(Backend.start(vertx, "grpc", "127.0.0.1", new HttpServerOptions()));
    backend.handler(request -> request.body().onSuccess(body -> request.response()
        .putHeader("content-type", "application/grpc")
        .putTrailer("grpc-status", "0").putTrailer("grpc-message", "ok")
        .end(body)));
    Cluster cluster = Xds.staticCluster("c", "127.0.0.1", backend.port()).toBuilder()
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            Xds.http2Options()).build();
    int port = serve(cluster);
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));

    String[] result = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("svc").setPort(port)
            .setURI("/helloworld.Greeter/SayHello").putHeader("content-type", "application/grpc")
            .putHeader("te", "trailers"))
        .compose(request -> request.send(Buffer.buffer(new byte[] {0, 0, 0, 0, 2, 8, 1}))
            .compose(response -> response.body().map(body -> new String[] {
                response.getHeader("content-type"), String.valueOf(body.length()),
                response.getTrailer("grpc-status"), response.getTrailer("grpc-message")}))));

    assertThat(result).containsExactly("application/grpc", "7", "0", "ok");
    assertThat(outcomes.nth(1).grpcStatus()).isEqualTo("0");
  }

  @Test
  void answersGrpcRequestsWithGrpcStatusWhenNoRouteMatches() throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("v", List.of("other"), Xds.route(Xds.prefix("/"), "c")))).build());
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    int port = port("l");

    String[] result = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("svc").setPort(port)
            .setURI("/pkg.Svc/Call").putHeader("content-type", "application/grpc"))
        .compose(request -> request.send(Buffer.buffer(new byte[5]))
            .compose(response -> response.body().map(body -> new String[] {
                String.valueOf(response.statusCode()), response.getHeader("grpc-status"),
                response.getHeader("x-meshfed-flags")}))));

    // 404 → UNIMPLEMENTED (12) in a trailers-only response, as Envoy maps local replies for gRPC.
    assertThat(result).containsExactly("200", "12", "NR");
  }

  @Test
  void aResponseToHeadEndsAtItsHeadersSoTheUpstreamConnectionServesTheNextRequest() throws Exception {
    Backend backend = backend("b");
    Map<Object, List<String>> methodsByConnection = new ConcurrentHashMap<>();
    backend.handler(request -> {
      methodsByConnection.computeIfAbsent(request.connection(), connection -> new CopyOnWriteArrayList<>())
          .add(request.method().name());
      // The HEAD's framing announces a body it does not send (RFC 9110 §9.3.2): read as one, it would swallow the
      // next response on the same connection.
      boolean head = request.method() == HttpMethod.HEAD;
      request.response().putHeader("content-length", "11").end(head ? "" : "hello world");
    });
    int port = serve(Xds.staticCluster("c", "127.0.0.1", backend.port()));
    // One client connection: the gateway pools upstream connections per event loop, and a second client connection
    // may land on another loop, whose pool would carry only GETs.
    Http oneConnection = closeLater(Http.oneConnection(vertx));

    for (int i = 0; i < 3; i++) {
      Http.Response head = oneConnection.send(HttpMethod.HEAD, port, "h", "/x", null);
      Http.Response get = oneConnection.get(port, "h", "/x");
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("11");
      assertThat(head.body()).isEmpty();
      assertThat(get.body()).isEqualTo("hello world");
    }
    // Pooled, the upstream connection that answered a HEAD serves the next GET.
    assertThat(methodsByConnection.values()).as("methods per upstream connection")
        .anyMatch(methods -> String.join(",", methods).contains("HEAD,GET"));
  }

  @Test
  void tunnelsWebSocketsAfterTheUpgrade() throws Exception {
    Backend backend = backend("ws");
    var server = closeLater(new AutoCloseableServer(vertx.createHttpServer().webSocketHandler(socket ->
        socket.textMessageHandler(text -> socket.writeTextMessage("echo:" + text)))));
    int wsPort = server.listen();
    int port = serve(Xds.staticCluster("c", "127.0.0.1", wsPort));
    assertThat(backend.hits()).isZero();
    WebSocketClient client = vertx.createWebSocketClient();
    CompletableFuture<String> reply = new CompletableFuture<>();

    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/chat"))
        .onSuccess(socket -> {
          socket.textMessageHandler(reply::complete);
          socket.writeTextMessage("hello");
        }).onFailure(reply::completeExceptionally);

    assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo:hello");
    Await.result(client.close());
    assertThat(outcomes.nth(1).responseCode()).isEqualTo(101);
  }

  /** Routes listener "l" by {@code route} to the WebSocket backend on {@code wsPort}, and connects through it. */
  private WebSocket connectThrough(Route route, int wsPort) throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("all", List.of("*"), route)))
        .cluster(Xds.staticCluster("c", "127.0.0.1", wsPort)).build());
    return Await.result(vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port("l")).setURI("/chat")));
  }

  @Test
  void aWebSocketTunnelOutlivesItsRoutesTimeout() throws Exception {
    var server = closeLater(new AutoCloseableServer(vertx.createHttpServer().webSocketHandler(socket ->
        socket.textMessageHandler(text -> socket.writeTextMessage("echo:" + text)))));
    int wsPort = server.listen();
    var timed = Xds.route(Xds.prefix("/"), "c").toBuilder();
    timed.getRouteBuilder().setTimeout(Xds.millis(300));
    WebSocket socket = connectThrough(timed.build(), wsPort);
    CopyOnWriteArrayList<String> replies = new CopyOnWriteArrayList<>();
    socket.textMessageHandler(replies::add);

    socket.writeTextMessage("before");
    Await.until("the first echo", Duration.ofSeconds(10), () -> replies.contains("echo:before"));
    Thread.sleep(800);
    socket.writeTextMessage("after");

    // Envoy does not time an upgraded stream by its route: the 300 ms timeout does not end the tunnel.
    Await.until("the echo after the route timeout", Duration.ofSeconds(10), () -> replies.contains("echo:after"));
    Await.result(socket.close());
  }

  @Test
  void aWebSocketTunnelIsClosedOnceNoByteCrossesItEitherWayForTheStreamIdleTimeout() throws Exception {
    // The backend reads silently; "push" makes it send eight messages, 250 ms apart, on its own.
    var server = closeLater(new AutoCloseableServer(vertx.createHttpServer().webSocketHandler(socket ->
        socket.textMessageHandler(text -> {
          if (text.equals("push")) {
            for (int i = 1; i <= 8; i++) {
              String message = "pushed" + i;
              vertx.setTimer(250L * i, id -> socket.writeTextMessage(message));
            }
          }
        }))));
    int wsPort = server.listen();
    var idle = Xds.route(Xds.prefix("/"), "c").toBuilder();
    idle.getRouteBuilder().setIdleTimeout(Xds.millis(1500));
    WebSocket socket = connectThrough(idle.build(), wsPort);
    CopyOnWriteArrayList<String> pushed = new CopyOnWriteArrayList<>();
    CompletableFuture<Long> closedAt = new CompletableFuture<>();
    socket.textMessageHandler(pushed::add);
    socket.closeHandler(nothing -> closedAt.complete(System.nanoTime()));

    // 2 s of bytes from the client only, then 2 s from the backend only: each longer than the 1.5 s idle timeout.
    for (int i = 0; i < 8; i++) {
      socket.writeTextMessage("m" + i);
      Thread.sleep(250);
    }
    assertThat(closedAt).as("open while the client sends").isNotDone();
    socket.writeTextMessage("push");
    Await.until("eight pushed messages", Duration.ofSeconds(10), () -> pushed.size() == 8);
    long silentFrom = System.nanoTime();
    assertThat(closedAt).as("open while the backend sends").isNotDone();

    long closed = closedAt.get(10, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(closed - silentFrom)).as("closed by the 1.5 s idle timeout")
        .isGreaterThan(Duration.ofMillis(1000));
    var outcome = outcomes.nth(1);
    assertThat(outcome.responseCode()).isEqualTo(101);
    assertThat(outcome.responseFlags()).isEqualTo("SI");
    assertThat(outcome.responseCodeDetails()).isEqualTo("stream_idle_timeout");
    Thread.sleep(200);
    assertThat(outcomes.requests).as("one outcome per tunnel").hasSize(1);
  }

  @Test
  void bytesInTheSameReadAsTheUpgradesResponseReachTheClient() throws Exception {
    // A backend that sends its first WebSocket frame in the same write as its 101: the upstream decoder, removed
    // while it hands on the 101, must pass the frame's bytes to the tunnel rather than drop or parse them.
    NetServer upstream = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> {
      if (request.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
        socket.write(Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u0081\u0005hello",
            "ISO-8859-1"));
      }
    }));
    closeLater(() -> Await.result(upstream.close()));
    int port = serve(Xds.staticCluster("c", "127.0.0.1", Await.result(upstream.listen(0, "127.0.0.1")).actualPort()));

    String response;
    try (RawHttp raw = new RawHttp(port)) {
      response = raw.send("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").readAll(1000);
    }

    assertThat(RawHttp.status(response)).as(response).isEqualTo(101);
    assertThat(response).endsWith("\r\n\r\n\u0081\u0005hello");
  }

  @Test
  void redirectsPlaintextToHttpsWhenTheVirtualHostRequiresTls() throws Exception {
    VirtualHost host = Xds.vhost("v", List.of("*"), Xds.route(Xds.prefix("/"), "c")).toBuilder()
        .setRequireTls(VirtualHost.TlsRequirementType.ALL).build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.routes("r", host)).build());

    Http.Response response = http.get(port("l"), "bookinfo.com", "/productpage?u=1");

    assertThat(response.status()).isEqualTo(301);
    assertThat(response.header("location")).isEqualTo("https://bookinfo.com/productpage?u=1");
  }

  /** A Vert.x server closed with the test. */
  private static final class AutoCloseableServer implements AutoCloseable {
    private final io.vertx.core.http.HttpServer server;

    AutoCloseableServer(io.vertx.core.http.HttpServer server) {
      this.server = server;
    }

    int listen() throws Exception {
      return Await.result(server.listen(0, "127.0.0.1")).actualPort();
    }

    @Override
    public void close() throws Exception {
      Await.result(server.close());
    }
  }
}
