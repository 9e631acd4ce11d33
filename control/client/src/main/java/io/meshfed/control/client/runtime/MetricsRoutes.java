package io.meshfed.control.client.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The :15090 endpoint, as Istio's proxies serve it: {@code /stats/prometheus}. A scrape walks every meter, so it
 * runs on a worker thread, not the event loop.
 */
final class MetricsRoutes {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsRoutes() {
  }

  static Router router(Vertx vertx, PrometheusMeterRegistry registry) {
    Router router = Router.router(vertx);
    router.get("/stats/prometheus").handler(context -> vertx.executeBlocking(registry::scrape, false)
        .onSuccess(text -> context.response().putHeader("content-type", PROMETHEUS_TEXT).end(text))
        .onFailure(context::fail));
    return router;
  }
}
