package io.meshfed.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A sample HTTP backend of the demo: answers every request with its cluster, service and version, in a small JSON
 * body and in the {@value #SERVED_BY} header, so a client sees which workload in which cluster served it. It also
 * echoes the request's method, path and the {@code x-forwarded-client-cert} header (set by a gateway that
 * terminated mTLS) so the path a request took is visible. Non-blocking: one Vert.x HTTP server, nothing else.
 */
public final class SampleBackend {

  /** The response header naming the workload that served the request. */
  public static final String SERVED_BY = "x-meshfed-served-by";

  private final SampleWorkload workload;
  private final HttpServer server;

  private SampleBackend(SampleWorkload workload, HttpServer server) {
    this.workload = workload;
    this.server = server;
  }

  /** Binds {@code host:port} (port 0: an ephemeral port) and serves until {@link #close()}. */
  public static Future<SampleBackend> start(Vertx vertx, SampleWorkload workload, String host, int port) {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      return Future.failedFuture(new IllegalArgumentException("port: " + port + " (expected: 0..65535)"));
    }
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    server.requestHandler(request -> answer(workload, request));
    return server.listen().map(bound -> new SampleBackend(workload, bound));
  }

  private static void answer(SampleWorkload workload, HttpServerRequest request) {
    // Read the whole request first: a client that sends a body expects it consumed before the answer.
    request.body().onComplete(ignored -> {
      JsonObject body = new JsonObject()
          .put("cluster", workload.cluster())
          .put("service", workload.service())
          .put("version", workload.version())
          .put("servedBy", workload.servedBy())
          .put("method", request.method().name())
          .put("path", request.uri());
      String xfcc = request.getHeader("x-forwarded-client-cert");
      if (xfcc != null) {
        body.put("forwardedClientCert", xfcc);
      }
      request.response()
          .putHeader(SERVED_BY, workload.servedBy())
          .putHeader("content-type", "application/json")
          .end(body.encode() + "\n");
    });
  }

  public SampleWorkload workload() {
    return workload;
  }

  /** The port actually bound. */
  public int port() {
    return server.actualPort();
  }

  /** Stops accepting and closes open connections. */
  public Future<Void> close() {
    return server.close();
  }

  @Override
  public String toString() {
    return "SampleBackend[" + workload.servedBy() + " on port " + port() + "]";
  }
}
