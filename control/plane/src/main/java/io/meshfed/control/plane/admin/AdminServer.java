package io.meshfed.control.plane.admin;

import io.meshfed.control.client.xds.EnvoyJson;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.analyze.AnalysisReport;
import io.meshfed.control.plane.analyze.ReportFormat;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.Severity;
import io.meshfed.control.plane.xds.NackDetail;
import io.meshfed.control.plane.xds.ProxyStatus;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.TypeSyncStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The control plane's admin API on :15014 (Vert.x Web): {@code /ready}, {@code /healthz}, {@code /metrics}
 * (Prometheus), {@code /debug/syncz} (per connected gateway, per type: SYNCED / STALE / NOT SENT, last ACK and NACK),
 * {@code /debug/config_dump?gateway=} (the snapshot a gateway is sent, as Envoy's config dump),
 * {@code /debug/clusterz} (the federation view), {@code /debug/translation} (the last translation: problems,
 * figures, groups) and {@code /debug/configz} (config messages: rejected objects and
 * why). Documented in docs/control-plane.md.
 */
public final class AdminServer {

  private final Vertx vertx;
  private final ControlPlaneView view;
  private final PrometheusMeterRegistry prometheus;
  private HttpServer server;

  public AdminServer(Vertx vertx, ControlPlaneView view, PrometheusMeterRegistry prometheus) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.view = Objects.requireNonNull(view, "view");
    this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
  }

  /** Binds {@code host:port} (0: ephemeral). */
  public Future<AdminServer> start(String host, int port) {
    Router router = Router.router(vertx);
    router.get("/ready").handler(this::ready);
    router.get("/healthz").handler(ctx -> ctx.response().putHeader("content-type", "text/plain").end("ok\n"));
    router.get("/metrics").handler(this::metrics);
    router.get("/debug/syncz").handler(this::syncz);
    router.get("/debug/config_dump").handler(this::configDump);
    router.get("/debug/clusterz").handler(this::clusterz);
    router.get("/debug/configz").handler(this::configz);
    router.get("/debug/translation").handler(ctx -> json(ctx, 200, view.translation().copy()
        .put("clusterId", view.clusterId())));
    return vertx.createHttpServer().requestHandler(router).listen(port, host).map(bound -> {
      server = bound;
      return this;
    });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void ready(RoutingContext ctx) {
    ctx.response().setStatusCode(view.ready() ? 200 : 503).putHeader("content-type", "text/plain")
        .end(view.readinessText());
  }

  private void metrics(RoutingContext ctx) {
    // Scraping walks every meter: off the event loop.
    vertx.executeBlocking(prometheus::scrape, false).onComplete(scraped -> {
      if (scraped.failed()) {
        ctx.response().setStatusCode(500).end("metrics: " + scraped.cause().getMessage() + "\n");
      } else {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(scraped.result());
      }
    });
  }

  private void syncz(RoutingContext ctx) {
    view.proxyStatuses().onComplete(result -> {
      if (result.failed()) {
        json(ctx, 500, new JsonObject().put("error", result.cause().getMessage()));
        return;
      }
      JsonArray proxies = new JsonArray();
      result.result().forEach(status -> proxies.add(proxy(status)));
      json(ctx, 200, new JsonObject().put("clusterId", view.clusterId()).put("proxies", proxies));
    });
  }

  static JsonObject proxy(ProxyStatus status) {
    JsonObject types = new JsonObject();
    for (XdsResourceType type : XdsResourceType.pushOrder()) {
      TypeSyncStatus t = status.type(type);
      JsonObject entry = new JsonObject().put("state", t.state().label()).put("subscribed", t.subscribed())
          .put("sentVersion", t.sentVersion()).put("sentNonce", t.sentNonce())
          .put("sentAt", t.sentAt().map(Instant::toString).orElse(null))
          .put("ackedVersion", t.ackedVersion()).put("ackedAt", t.ackedAt().map(Instant::toString).orElse(null));
      t.lastNack().ifPresent(nack -> entry.put("lastNack", nack(nack)));
      types.put(type.shortName(), entry);
    }
    String group = status.group();
    String role = group.contains("/") ? group.split("/")[1] : "";
    return new JsonObject().put("name", status.proxyName()).put("nodeId", status.nodeId())
        .put("clusterId", status.clusterId()).put("group", group).put("role", role)
        .put("protocol", status.protocol().name()).put("peer", status.peer()).put("tls", status.tls())
        .put("connectedSince", status.connectedSince().toString()).put("types", types);
  }

  private static JsonObject nack(NackDetail nack) {
    return new JsonObject().put("version", nack.rejectedVersion()).put("nonce", nack.nonce()).put("code", nack.code())
        .put("message", nack.message()).put("at", nack.at().toString());
  }

  private void configDump(RoutingContext ctx) {
    String gateway = ctx.request().getParam("gateway");
    if (gateway == null || gateway.isBlank()) {
      json(ctx, 400, new JsonObject().put("error", "gateway: missing (expected: ?gateway=<pod>.<namespace>, a node "
          + "id or a group key; /debug/syncz lists them)"));
      return;
    }
    view.proxyStatuses().onComplete(result -> {
      List<ProxyStatus> statuses = result.succeeded() ? result.result() : List.of();
      Optional<String> group = statuses.stream()
          .filter(s -> s.proxyName().equals(gateway) || s.nodeId().equals(gateway) || s.group().equals(gateway))
          .map(ProxyStatus::group).findFirst()
          .or(() -> view.snapshot(gateway).map(s -> gateway));
      Optional<Snapshot> snapshot = group.flatMap(view::snapshot);
      if (snapshot.isEmpty()) {
        String known = statuses.stream().map(ProxyStatus::proxyName).distinct().collect(Collectors.joining(", "));
        json(ctx, 404, new JsonObject().put("error", "gateway " + gateway + ": " + (group.isPresent()
            ? "its group " + group.get() + " has no snapshot yet" : "not connected (connected: "
                + (known.isEmpty() ? "none" : known) + ")")));
        return;
      }
      ctx.response().putHeader("content-type", "application/json").putHeader("x-meshfed-group", group.get())
          .end(EnvoyJson.print(SnapshotDump.of(snapshot.get())));
    });
  }

  private void clusterz(RoutingContext ctx) {
    view.federation().onComplete(result -> {
      if (result.failed()) {
        json(ctx, 503, new JsonObject().put("clusterId", view.clusterId())
            .put("error", "federation view unavailable: " + result.cause().getMessage()));
      } else {
        json(ctx, 200, result.result());
      }
    });
  }

  private void configz(RoutingContext ctx) {
    ConfigSnapshot config = view.config();
    StringWriter messages = new StringWriter();
    // The same JSON as `meshfed analyze -o json`: one shape for config messages everywhere.
    ReportFormat.JSON.write(config.messages(), new AnalysisReport(config.messages()), new PrintWriter(messages));
    JsonObject body = new JsonObject()
        .put("clusterId", view.clusterId())
        .put("version", config.version())
        .put("summary", config.toString())
        .put("errors", config.messages().stream().filter(m -> m.severity() == Severity.ERROR).count())
        .put("messages", new JsonArray(messages.toString()));
    json(ctx, 200, body);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
  }
}
