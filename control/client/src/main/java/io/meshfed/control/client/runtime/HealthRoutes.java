package io.meshfed.control.client.runtime;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The :15021 endpoints, as Istio's gateways serve them: {@code /healthz/ready} (200 when ready, else 503 with every
 * reason, one per line) and {@code /healthz/live}.
 */
final class HealthRoutes {

  private HealthRoutes() {
  }

  static Router router(Vertx vertx, Readiness readiness) {
    Router router = Router.router(vertx);
    router.get("/healthz/ready").handler(context -> ready(context, readiness));
    router.get("/healthz/live").handler(context -> context.response()
        .putHeader("content-type", "text/plain; charset=utf-8").end("live\n"));
    return router;
  }

  private static void ready(RoutingContext context, Readiness readiness) {
    ReadinessStatus status = readiness.check();
    StringBuilder body = new StringBuilder();
    if (status.ready()) {
      body.append("ready\n");
      status.details().forEach(detail -> body.append("- ").append(detail).append('\n'));
    } else {
      body.append("not ready (").append(status.state()).append("):\n");
      status.reasons().forEach(reason -> body.append("- ").append(reason).append('\n'));
    }
    context.response().setStatusCode(status.ready() ? 200 : 503)
        .putHeader("content-type", "text/plain; charset=utf-8").end(body.toString());
  }
}
