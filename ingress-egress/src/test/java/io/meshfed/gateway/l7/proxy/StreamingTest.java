package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bodies stream through without full buffering, with backpressure, and retries buffer only up to their cap. */
class StreamingTest extends EngineTestBase {

  private static final int MB = 1024 * 1024;

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.limits(HygieneLimits.DEFAULTS.withRetryBufferBytes(256 * 1024));
  }

  private int serve(Backend backend, RetryPolicy retry) throws Exception {
    RouteAction.Builder action = RouteAction.newBuilder().setCluster("c").setTimeout(Xds.seconds(30));
    if (retry != null) {
      action.setRetryPolicy(retry);
    }
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("v", List.of("*"), Route.newBuilder().setMatch(Xds.prefix("/"))
            .setRoute(action).build())))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    return port("l");
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void streamsLargeUploadsAndDownloadsIntact() throws Exception {
    byte[] upload = new byte[16 * MB];
    new java.util.Random(7).nextBytes(upload);
    Backend digest = backend("digest").handler(request -> {
      MessageDigest sha;
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      request.handler(chunk -> sha.update(chunk.getBytes()));
      request.endHandler(ignored -> request.response().end(Buffer.buffer(upload)
          .appendString(HexFormat.of().formatHex(sha.digest()))));
    });
    int port = serve(digest, null);
    HttpClient client = vertx.createHttpClient();

    Buffer response = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.PUT)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("h").setPort(port).setURI("/"))
        .compose(request -> request.send(Buffer.buffer(upload)).compose(r -> r.body())));

    assertThat(response.length()).isEqualTo(upload.length + 64);
    assertThat(response.getString(upload.length, upload.length + 64)).isEqualTo(sha256(upload));
    assertThat(sha256(response.getBytes(0, upload.length))).isEqualTo(sha256(upload));
  }

  @Test
  void passesAResponseHeadOnBeforeItsBodyArrives() throws Exception {
    Backend slowBody = backend("slow-body").handler(request -> {
      request.response().setChunked(true).writeHead();
      vertx.setTimer(1500, id -> request.response().end("finally"));
    });
    int port = serve(slowBody, null);
    HttpClient client = vertx.createHttpClient();

    long start = System.nanoTime();
    var response = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("h").setPort(port).setURI("/"))
        .compose(request -> request.send()));
    long headMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(headMillis).as("head received after %d ms", headMillis).isLessThan(1000);
    assertThat(Await.result(response.body()).toString()).isEqualTo("finally");
  }

  @Test
  void appliesBackpressureToAClientThatUploadsFasterThanTheUpstreamReads() throws Exception {
    // The upstream accepts the request and never reads its body.
    Backend stalled = backend("stalled").handler(request -> request.pause());
    int port = serve(stalled, null);
    HttpClient client = vertx.createHttpClient();
    AtomicLong sent = new AtomicLong();
    long offered = 512L * MB;
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);

    client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("h").setPort(port).setURI("/")
            .putHeader("content-length", String.valueOf(offered)))
        .onSuccess(request -> {
          Runnable[] pump = new Runnable[1];
          pump[0] = () -> {
            while (sent.get() < offered && !request.writeQueueFull()) {
              request.write(chunk);
              sent.addAndGet(chunk.length());
            }
            request.drainHandler(ignored -> pump[0].run());
          };
          pump[0].run();
        });

    // Let the client push as hard as it can, then check it was held back. Kernel socket buffers on both hops
    // (autotuned up to 32 MiB each here) absorb some; a proxy without backpressure would take all 512 MiB.
    Thread.sleep(3000);
    long after3s = sent.get();
    Thread.sleep(1000);
    assertThat(sent.get()).as("the client is stalled, not still sending").isEqualTo(after3s);
    assertThat(after3s).isLessThan(160L * MB);
    // The stalled exchange is torn down with the engine and Vert.x.
  }

  @Test
  void givesUpRetriesWhenTheBodyOutgrowsTheRetryBuffer() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Backend failing = backend("failing").handler(request -> request.body().onSuccess(body ->
        request.response().setStatusCode(calls.incrementAndGet() == 1 ? 503 : 200).end("len " + body.length())));
    int port = serve(failing, RetryPolicy.newBuilder().setRetryOn("5xx").setNumRetries(Xds.u32(2)).build());

    assertThat(http.send(HttpMethod.POST, port, "h", "/", "x".repeat(100 * 1024)).body())
        .as("a small body is replayed").isEqualTo("len 102400");
    calls.set(0);
    var large = http.send(HttpMethod.POST, port, "h", "/", "x".repeat(512 * 1024));
    assertThat(large.status()).as("beyond the 256 KiB retry buffer the first answer stands").isEqualTo(503);
  }
}
