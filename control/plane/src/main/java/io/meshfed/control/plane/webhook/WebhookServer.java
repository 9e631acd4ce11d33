package io.meshfed.control.plane.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.trust.Pem;
import io.meshfed.trust.TrustDomain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validating admission webhook on :15017: {@code POST /validate} takes an {@code AdmissionReview} (v1) and
 * answers with {@link AdmissionValidator}'s decision, over TLS. The certificate, as the chart arranges it: in
 * {@code certManager} mode the files {@code /var/run/secrets/meshfed/webhook/tls.{crt,key}} (served when they
 * exist, as istiod serves {@code /var/run/secrets/istiod/tls}); otherwise ({@code controlPlane} mode) a certificate
 * for {@code meshfed-control-plane.<ns>.svc} from the control plane's webhook CA, whose certificate is then patched
 * into {@code meshfed-validator-<ns>}'s {@code caBundle} together with {@code failurePolicy: Fail}.
 */
public final class WebhookServer {

  /** Where cert-manager's Secret is mounted in {@code certManager} mode. */
  public static final Path CERT_MANAGER_DIRECTORY = Path.of("/var/run/secrets/meshfed/webhook");
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  private static final long MAX_BODY = 3L * 1024 * 1024;

  private final Vertx vertx;
  private final AdmissionValidator validator;
  private HttpServer server;

  public WebhookServer(Vertx vertx, AdmissionValidator validator) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.validator = Objects.requireNonNull(validator, "validator");
  }

  /**
   * Binds {@code host:port} with the certificate of the chart's mode.
   *
   * @param certificateDirectory where cert-manager's {@code tls.crt}/{@code tls.key} are mounted, if they exist
   * @param client the local cluster, for the caBundle patch in {@code controlPlane} mode; {@code null} off Kubernetes
   */
  public Future<WebhookServer> start(String host, int port, Path certificateDirectory, Path dataDir,
      TrustDomain trustDomain, String namespace, KubernetesClient client) {
    String serviceHost = "meshfed-control-plane." + namespace + ".svc";
    return vertx.executeBlocking(() -> {
      Path crt = certificateDirectory.resolve("tls.crt");
      Path key = certificateDirectory.resolve("tls.key");
      if (Files.isReadable(crt) && Files.isReadable(key)) {
        LOG.info("webhook: serving cert-manager's certificate {}", crt);
        return new Served(new PemKeyCertOptions().setCertPath(crt.toString()).setKeyPath(key.toString()), null);
      }
      WebhookCertificates.Issued issued = WebhookCertificates.issue(dataDir, trustDomain,
          List.of(serviceHost, serviceHost + ".cluster.local", "meshfed-control-plane." + namespace));
      return new Served(new PemKeyCertOptions().setKeyValue(Buffer.buffer(Pem.encodePrivateKey(issued.key())))
          .setCertValue(Buffer.buffer(Pem.encodeCertificates(issued.chain()))), issued);
    }, false).compose(served -> {
      Router router = Router.router(vertx);
      router.post("/validate").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::validate);
      HttpServerOptions options = new HttpServerOptions().setSsl(true).setKeyCertOptions(served.keyCert());
      return vertx.createHttpServer(options).requestHandler(router).listen(port, host).compose(bound -> {
        server = bound;
        if (served.issued() == null || client == null) {
          return Future.succeededFuture(this);
        }
        String name = "meshfed-validator-" + namespace;
        return vertx.executeBlocking(() -> CaBundlePatcher.patch(client, name, served.issued().ca()), false)
            .recover(e -> {
              // The webhook still serves; the API server keeps failurePolicy Ignore until a restart patches it.
              LOG.error("webhook: cannot patch {}: {} (expected: the control plane may get and patch it)", name,
                  e.getMessage());
              return Future.succeededFuture(false);
            })
            .map(patched -> this);
      });
    });
  }

  private record Served(PemKeyCertOptions keyCert, WebhookCertificates.Issued issued) {
  }

  private void validate(RoutingContext ctx) {
    JsonObject review;
    try {
      review = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      ctx.response().setStatusCode(400).end("AdmissionReview: not JSON: " + e.getMessage() + "\n");
      return;
    }
    vertx.executeBlocking(() -> validator.review(review), false).onComplete(result -> {
      if (result.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(result.result().encode());
      } else {
        ctx.response().setStatusCode(400).end(result.cause().getMessage() + "\n");
      }
    });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
