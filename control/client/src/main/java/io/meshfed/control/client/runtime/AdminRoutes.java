package io.meshfed.control.client.runtime;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.admin.v3.CommandLineOptions;
import io.envoyproxy.envoy.admin.v3.ServerInfo;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.accesslog.AccessLogJson;
import io.meshfed.control.client.accesslog.RecentRequests;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The loopback admin endpoints on :15000, shaped like Envoy's admin so {@code meshfed proxy-config} and
 * istioctl-trained eyes read them: {@code /config_dump}, {@code /listeners}, {@code /clusters},
 * {@code /server_info}, {@code /ready}, {@code /stats}, plus meshfed's {@code /requestz} and a POST
 * {@code /drain_listeners} to start a graceful drain.
 */
final class AdminRoutes {

  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final int DEFAULT_REQUESTZ_LIMIT = 50;

  private final Vertx vertx;
  private final GatewayIdentity identity;
  private final Node node;
  private final String version;
  private final Readiness readiness;
  private final Function<String, ?> drain;
  private final Supplier<AcceptedConfig> config;
  private final PrometheusMeterRegistry registry;
  private final RecentRequests recent;
  private final OutlierEjections ejections;
  private final Instant startedAt;
  private final Clock clock;

  AdminRoutes(Vertx vertx, GatewayIdentity identity, Node node, String version, Readiness readiness,
      Function<String, ?> drain, Supplier<AcceptedConfig> config, PrometheusMeterRegistry registry,
      RecentRequests recent, OutlierEjections ejections, Instant startedAt, Clock clock) {
    this.vertx = vertx;
    this.identity = identity;
    this.node = node;
    this.version = version;
    this.readiness = readiness;
    this.drain = drain;
    this.config = config;
    this.registry = registry;
    this.recent = recent;
    this.ejections = ejections;
    this.startedAt = startedAt;
    this.clock = clock;
  }

  Router router() {
    Router router = Router.router(vertx);
    router.get("/").handler(this::index);
    router.get("/config_dump").handler(context -> blocking(context, JSON,
        () -> ConfigDumps.json(ConfigDumps.configDump(config.get()))));
    router.get("/listeners").handler(context -> {
      boolean json = "json".equals(context.request().getParam("format"));
      blocking(context, json ? JSON : TEXT, () -> {
        var listeners = ConfigViews.listeners(config.get());
        return json ? ConfigDumps.json(listeners) : ConfigViews.listenersText(listeners);
      });
    });
    router.get("/clusters").handler(context -> {
      boolean json = "json".equals(context.request().getParam("format"));
      blocking(context, json ? JSON : TEXT, () -> {
        var clusters = ConfigViews.clusters(config.get(), ejections);
        return json ? ConfigDumps.json(clusters) : ConfigViews.clustersText(clusters);
      });
    });
    router.get("/server_info").handler(context -> blocking(context, JSON, () -> ConfigDumps.json(serverInfo())));
    router.get("/ready").handler(this::ready);
    router.get("/stats").handler(this::stats);
    router.get("/requestz").handler(this::requestz);
    router.post("/drain_listeners").handler(this::drainListeners);
    return router;
  }

  private void index(RoutingContext context) {
    context.response().putHeader("content-type", TEXT).end(String.join("\n",
        "meshfed admin: " + identity.name() + " (" + identity.role() + ", cluster " + identity.clusterId() + ")",
        "  /config_dump             accepted xDS resources (Envoy's ConfigDump; secrets redacted)",
        "  /listeners               listeners and their addresses (?format=json)",
        "  /clusters                clusters, their hosts and health flags (?format=json)",
        "  /server_info             version, state, uptime, node",
        "  /ready                   LIVE (200), or the state that is not (503)",
        "  /stats                   every meter (?filter=REGEX, ?format=json|prometheus)",
        "  /requestz?id=ID          recent access-log entries of one request id (?limit=N without id)",
        "  POST /drain_listeners    start a graceful drain", ""));
  }

  private void ready(RoutingContext context) {
    ReadinessStatus status = readiness.check();
    context.response().setStatusCode(status.ready() ? 200 : 503).putHeader("content-type", TEXT)
        .end(status.state() + "\n");
  }

  private ServerInfo serverInfo() {
    ReadinessStatus status = readiness.check();
    long uptime = clock.instant().getEpochSecond() - startedAt.getEpochSecond();
    return ServerInfo.newBuilder()
        .setVersion(version)
        .setState(ServerInfo.State.valueOf(status.state()))
        .setHotRestartVersion("disabled")
        .setUptimeCurrentEpoch(Duration.newBuilder().setSeconds(uptime))
        .setUptimeAllEpochs(Duration.newBuilder().setSeconds(uptime))
        .setCommandLineOptions(CommandLineOptions.newBuilder()
            .setServiceCluster(identity.name()).setServiceNode(node.getId()))
        .setNode(node)
        .build();
  }

  private void stats(RoutingContext context) {
    String format = context.request().getParam("format", "text");
    if (format.equals("prometheus")) {
      blocking(context, MetricsRoutes.PROMETHEUS_TEXT, registry::scrape);
      return;
    }
    Pattern filter;
    try {
      filter = Pattern.compile(context.request().getParam("filter", ""));
    } catch (PatternSyntaxException e) {
      badRequest(context, "filter: " + e.getPattern() + " (expected: a regular expression; " + e.getDescription()
          + ")");
      return;
    }
    if (!format.equals("text") && !format.equals("json")) {
      badRequest(context, "format: " + format + " (expected: text, json or prometheus)");
      return;
    }
    boolean json = format.equals("json");
    blocking(context, json ? JSON : TEXT, () -> {
      JsonArray stats = new JsonArray();
      StringBuilder text = new StringBuilder();
      for (Meter meter : registry.getMeters().stream()
          .sorted(Comparator.comparing((Meter m) -> m.getId().getName())).toList()) {
        String name = registry.config().namingConvention()
            .name(meter.getId().getName(), meter.getId().getType(), meter.getId().getBaseUnit());
        String tags = meter.getId().getTags().stream().map(tag -> tag.getKey() + "=" + tag.getValue())
            .collect(Collectors.joining(","));
        List<Measurement> measurements = toList(meter.measure());
        for (Measurement measurement : measurements) {
          String statName = name + (tags.isEmpty() ? "" : "{" + tags + "}")
              + (measurements.size() > 1 ? "." + measurement.getStatistic().name().toLowerCase(Locale.ROOT) : "");
          if (filter.matcher(statName).find()) {
            stats.add(new JsonObject().put("name", statName).put("value", measurement.getValue()));
            text.append(statName).append(": ").append(format(measurement.getValue())).append('\n');
          }
        }
      }
      return json ? new JsonObject().put("stats", stats).encodePrettily() : text.toString();
    });
  }

  private void requestz(RoutingContext context) {
    JsonObject body = new JsonObject().put("gateway", gateway());
    String id = context.request().getParam("id");
    List<AccessLogEntry> entries;
    if (id != null) {
      body.put("request_id", id);
      entries = recent.find(id);
    } else {
      String limitParam = context.request().getParam("limit", Integer.toString(DEFAULT_REQUESTZ_LIMIT));
      int limit;
      try {
        limit = Integer.parseInt(limitParam);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > recent.capacity()) {
        badRequest(context, "limit: " + limitParam + " (expected: a number from 1 to " + recent.capacity() + ")");
        return;
      }
      entries = recent.latest(limit);
    }
    JsonArray array = new JsonArray();
    entries.forEach(entry -> array.add(new JsonObject(AccessLogJson.encode(entry))));
    body.put("entries", array);
    int status = id != null && entries.isEmpty() ? 404 : 200;
    context.response().setStatusCode(status).putHeader("content-type", JSON).end(body.encodePrettily());
  }

  private void drainListeners(RoutingContext context) {
    drain.apply("admin POST /drain_listeners");
    ReadinessStatus status = readiness.check();
    JsonObject body = new JsonObject().put("state", "DRAINING")
        .put("progress", readiness.drain().map(progress -> progress.describe(clock.instant()))
            .orElse("drain starting"))
        .put("ready", status.ready());
    context.response().setStatusCode(202).putHeader("content-type", JSON).end(body.encodePrettily());
  }

  private JsonObject gateway() {
    return new JsonObject().put("name", identity.name()).put("namespace", identity.namespace())
        .put("cluster", identity.clusterId()).put("role", identity.role());
  }

  private void blocking(RoutingContext context, String contentType, Callable<String> body) {
    vertx.executeBlocking(body, false)
        .onSuccess(text -> context.response().putHeader("content-type", contentType).end(text))
        .onFailure(error -> context.response().setStatusCode(500).putHeader("content-type", TEXT)
            .end(error.getMessage() + "\n"));
  }

  private static void badRequest(RoutingContext context, String message) {
    context.response().setStatusCode(400).putHeader("content-type", TEXT).end(message + "\n");
  }

  private static List<Measurement> toList(Iterable<Measurement> measurements) {
    List<Measurement> list = new ArrayList<>();
    measurements.forEach(list::add);
    return list;
  }

  private static String format(double value) {
    return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value)
        : Double.toString(value);
  }
}
