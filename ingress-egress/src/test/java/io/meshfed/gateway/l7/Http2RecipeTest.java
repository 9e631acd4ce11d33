package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recipe the L7 engine stands on: HTTP/2 negotiated by ALPN over BoringSSL between Vert.x peers. */
class Http2RecipeTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void http2IsNegotiatedOverBoringSsl() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("ingress");
    int port = vertx.createHttpServer(new HttpServerOptions()
            .setSsl(true).setUseAlpn(true)
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setKeyCertOptions(certificate.keyCertOptions()))
        .requestHandler(request -> request.response().end(request.version().name()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();

    String body = vertx.createHttpClient(new HttpClientOptions()
            .setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setTrustOptions(certificate.trustOptions())
            .setVerifyHost(false))
        .request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(request -> request.send().compose(response -> response.body()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();

    assertThat(body).isEqualTo("HTTP_2");
  }
}
