package io.meshfed.trust.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dependency recipe on this machine: BoringSSL loads through netty-tcnative, and a Vert.x TLS server and client
 * handshake with {@link OpenSSLEngineOptions}.
 */
class BoringSslRecipeTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void boringSslLoadsThroughTcnative() {
    assertThat(OpenSsl.isAvailable())
        .as("netty-tcnative failed to load: %s", OpenSsl.unavailabilityCause())
        .isTrue();
    assertThat(OpenSsl.versionString()).containsIgnoringCase("BoringSSL");
  }

  @Test
  void vertxServerAndClientHandshakeTls13OverOpenSsl() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    NetServer server = vertx.createNetServer(new NetServerOptions()
            .setSsl(true)
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setKeyCertOptions(certificate.keyCertOptions()))
        .connectHandler(socket -> socket.handler(socket::write));
    int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();

    NetSocket socket = vertx.createNetClient(new NetClientOptions()
            .setSsl(true)
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setTrustOptions(certificate.trustOptions())
            .setHostnameVerificationAlgorithm(""))
        .connect(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    var echoed = new java.util.concurrent.CompletableFuture<String>();
    socket.handler(buffer -> echoed.complete(buffer.toString()));
    socket.write(Buffer.buffer("hello"));

    assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
    assertThat(socket.isSsl()).isTrue();
    assertThat(socket.sslSession().getProtocol()).isEqualTo("TLSv1.3");
    // The OpenSSL engine's session type, not the JDK's: proof the handshake ran in BoringSSL.
    assertThat(socket.sslSession().getClass().getName()).contains("OpenSsl");
  }
}
