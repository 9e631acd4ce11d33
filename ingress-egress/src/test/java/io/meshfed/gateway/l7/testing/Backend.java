package io.meshfed.gateway.l7.testing;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Vert.x HTTP backend for tests: by default answers 200 with JSON describing the request (name, method, path,
 * headers, body); a handler can replace that. Records every request it sees.
 */
public final class Backend implements AutoCloseable {

  private final HttpServer server;
  private final String name;
  private final AtomicInteger hits = new AtomicInteger();
  private final List<JsonObject> seen = new CopyOnWriteArrayList<>();
  private volatile Handler<HttpServerRequest> handler;

  private Backend(HttpServer server, String name) {
    this.server = server;
    this.name = name;
  }

  /** Starts a backend named {@code name} on {@code host}:0 (HTTP/1.1 and h2c). */
  public static Backend start(Vertx vertx, String name, String host) throws Exception {
    return start(vertx, name, host, new HttpServerOptions());
  }

  public static Backend start(Vertx vertx, String name, String host, HttpServerOptions options) throws Exception {
    HttpServer server = vertx.createHttpServer(options);
    Backend backend = new Backend(server, name);
    server.requestHandler(request -> {
      backend.hits.incrementAndGet();
      Handler<HttpServerRequest> custom = backend.handler;
      if (custom != null) {
        custom.handle(request);
        return;
      }
      request.body().onSuccess(body -> {
        JsonObject headers = new JsonObject();
        request.headers().names().forEach(header -> headers.put(header.toLowerCase(),
            String.join(",", request.headers().getAll(header))));
        JsonObject echo = new JsonObject().put("backend", name).put("method", request.method().name())
            .put("uri", request.uri()).put("path", request.path()).put("version", request.version().name())
            .put("headers", headers).put("body", body.toString());
        backend.seen.add(echo);
        request.response().putHeader("content-type", "application/json").putHeader("x-backend", name)
            .end(echo.encode());
      });
    });
    server.listen(0, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return backend;
  }

  public int port() {
    return server.actualPort();
  }

  public String name() {
    return name;
  }

  public int hits() {
    return hits.get();
  }

  public List<JsonObject> seen() {
    return seen;
  }

  /** Replaces the default echo. */
  public Backend handler(Handler<HttpServerRequest> value) {
    handler = value;
    return this;
  }

  @Override
  public void close() throws Exception {
    Future<Void> closed = server.close();
    closed.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
