package io.meshfed.control.plane.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.trust.Pem;
import io.meshfed.trust.TrustDomain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's certManager mode: the mounted tls.crt/tls.key are what the webhook serves. */
class WebhookServerTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void certManagerFilesAreServedWhenMounted() throws Exception {
    // A certificate from another CA than the control plane's, as cert-manager's issuer would make.
    WebhookCertificates.Issued issuer = WebhookCertificates.issue(dir.resolve("cert-manager"),
        TrustDomain.of("cluster.local"), List.of("meshfed-control-plane.meshfed-system.svc"));
    Path mounted = Files.createDirectories(dir.resolve("mounted"));
    Files.writeString(mounted.resolve("tls.crt"), Pem.encodeCertificates(issuer.chain()));
    Files.writeString(mounted.resolve("tls.key"), Pem.encodePrivateKey(issuer.key()));

    WebhookServer server = await(new WebhookServer(vertx, new AdmissionValidator(MeshSettings.DEFAULT))
        .start("127.0.0.1", 0, mounted, dir.resolve("data"), TrustDomain.of("cluster.local"), "meshfed-system",
            null));
    var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.encodeCertificates(
            List.of(issuer.ca()))))));
    try {
      java.util.concurrent.atomic.AtomicReference<X509Certificate> served = new java.util.concurrent.atomic.AtomicReference<>();
      JsonObject review = await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(server.port()).setURI("/validate"))
          .compose(request -> request.send(new JsonObject().put("request", new JsonObject().put("uid", "u")
              .put("operation", "DELETE").put("kind", new JsonObject().put("group", "networking.istio.io")))
              .encode()))
          .compose(response -> {
            try {
              served.set((X509Certificate) response.request().connection().peerCertificates().get(0));
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
              return Future.failedFuture(e);
            }
            return response.body();
          })).toJsonObject();
      assertThat(served.get()).isEqualTo(issuer.chain().get(0));
      assertThat(review.getJsonObject("response").getBoolean("allowed")).isTrue();
      // The control plane's own webhook CA was not created: cert-manager's files won.
      assertThat(dir.resolve("data").resolve("webhook")).doesNotExist();
    } finally {
      await(client.close());
      await(server.close());
    }
  }
}
