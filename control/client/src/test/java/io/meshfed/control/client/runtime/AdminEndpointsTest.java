package io.meshfed.control.client.runtime;

import static io.meshfed.control.client.runtime.RuntimeFixture.await;
import static io.meshfed.control.client.runtime.RuntimeFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminEndpointsTest {

  private static final Vertx VERTX = Vertx.vertx();
  private static GatewayRuntime runtime;

  @BeforeAll
  static void start() throws Exception {
    runtime = await(RuntimeFixture.runtime(VERTX).version("meshfed/0.1.0-test").config(RuntimeFixture::config)
        .outlierEjections((cluster, address) -> address.equals("10.0.0.1:9080")).build().start());
    runtime.recentRequests().add(AccessLogEntry.http().requestId("req-1").method("GET").path("/reviews/1")
        .responseCode(503).responseFlags(ResponseFlags.of(ResponseFlag.UF)).startTime(Instant.now()).build());
    runtime.recentRequests().add(AccessLogEntry.http().requestId("req-2").responseCode(200).build());
  }

  @AfterAll
  static void stop() throws Exception {
    await(runtime.close());
    await(VERTX.close());
  }

  private static String admin(String path) {
    return "http://127.0.0.1:" + runtime.adminPort() + path;
  }

  @Test
  void configDumpIsEnvoyShapedWithProtoFieldNames() throws Exception {
    HttpResponse<String> response = get(admin("/config_dump"));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray configs = new JsonObject(response.body()).getJsonArray("configs");
    assertThat(configs.stream().map(config -> ((JsonObject) config).getString("@type")).toList()).containsExactly(
        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
        "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
        "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
        "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
        "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");

    JsonObject clusters = configs.getJsonObject(0);
    assertThat(clusters.getString("version_info")).isEqualTo("v7");
    JsonObject cluster = clusters.getJsonArray("dynamic_active_clusters").getJsonObject(0);
    assertThat(cluster.getString("version_info")).isEqualTo("v7");
    assertThat(cluster.getString("last_updated")).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(cluster.getString("client_status")).isEqualTo("ACKED");
    assertThat(cluster.getJsonObject("cluster").getString("@type"))
        .isEqualTo("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    assertThat(cluster.getJsonObject("cluster").getString("name")).isEqualTo(RuntimeFixture.CLUSTER);
    assertThat(cluster.getJsonObject("cluster").getString("connect_timeout")).isEqualTo("10s");

    JsonArray listeners = configs.getJsonObject(1).getJsonArray("dynamic_listeners");
    JsonObject listener = listeners.getJsonObject(0);
    assertThat(listener.getString("name")).isEqualTo("0.0.0.0_8080");
    JsonObject filter = listener.getJsonObject("active_state").getJsonObject("listener")
        .getJsonArray("filter_chains").getJsonObject(0).getJsonArray("filters").getJsonObject(0);
    assertThat(filter.getJsonObject("typed_config").getString("@type")).isEqualTo(
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    assertThat(filter.getJsonObject("typed_config").getJsonObject("rds").getString("route_config_name"))
        .isEqualTo("http.8080");

    // The rejected update shows as Envoy's error_state, the gateway keeps serving the last good config.
    JsonObject rejected = listeners.getJsonObject(1);
    assertThat(rejected.getString("name")).isEqualTo("0.0.0.0_9090");
    assertThat(rejected.getString("client_status")).isEqualTo("NACKED");
    assertThat(rejected.getJsonObject("error_state").getString("details")).contains("redis_proxy");
    assertThat(rejected.getJsonObject("error_state").getString("version_info")).isEqualTo("v9");

    assertThat(configs.getJsonObject(2).getJsonArray("dynamic_route_configs").getJsonObject(0)
        .getJsonObject("route_config").getString("name")).isEqualTo("http.8080");
    assertThat(configs.getJsonObject(4).getJsonArray("dynamic_endpoint_configs").getJsonObject(0)
        .getString("version_info")).isEqualTo("v8");
  }

  @Test
  void configDumpNeverShowsPrivateKeys() throws Exception {
    String body = get(admin("/config_dump")).body();
    assertThat(body).doesNotContain("TOP-SECRET-KEY-MATERIAL").contains("CHAIN");
    JsonObject secret = new JsonObject(body).getJsonArray("configs").getJsonObject(3)
        .getJsonArray("dynamic_active_secrets").getJsonObject(0);
    assertThat(secret.getString("name")).isEqualTo("default");
    assertThat(secret.getJsonObject("secret").getJsonObject("tls_certificate").getJsonObject("private_key")
        .getString("inline_string")).isEqualTo("[redacted]");
  }

  @Test
  void listenersInTextAndJson() throws Exception {
    assertThat(get(admin("/listeners")).body()).isEqualTo("0.0.0.0_8080::0.0.0.0:8080\n");
    JsonObject json = new JsonObject(get(admin("/listeners?format=json")).body());
    assertThat(json.getJsonArray("listener_statuses").getJsonObject(0).getString("name")).isEqualTo("0.0.0.0_8080");
  }

  @Test
  void clustersShowHostsWithEnvoysHealthFlags() throws Exception {
    List<String> lines = get(admin("/clusters")).body().lines().toList();
    String c = RuntimeFixture.CLUSTER;
    assertThat(lines).contains(
        c + "::observability_name::" + c,
        c + "::default_priority::max_connections::100",
        c + "::default_priority::max_pending_requests::10",
        c + "::added_via_api::true",
        c + "::10.0.0.1:9080::health_flags::/failed_outlier_check",
        c + "::10.0.0.2:9080::health_flags::/failed_eds_health",
        c + "::10.0.0.3:9080::health_flags::/eds_status_draining",
        c + "::10.0.0.1:9080::region::us-east1",
        c + "::10.0.0.1:9080::zone::us-east1-b",
        c + "::10.0.0.1:9080::priority::0");
    JsonObject json = new JsonObject(get(admin("/clusters?format=json")).body());
    JsonObject host = json.getJsonArray("cluster_statuses").getJsonObject(0).getJsonArray("host_statuses")
        .getJsonObject(1);
    assertThat(host.getJsonObject("health_status").getString("eds_health_status")).isEqualTo("UNHEALTHY");
  }

  @Test
  void serverInfoAndReadyReportTheState() throws Exception {
    JsonObject info = new JsonObject(get(admin("/server_info")).body());
    assertThat(info.getString("version")).isEqualTo("meshfed/0.1.0-test");
    assertThat(info.getString("state")).isEqualTo("INITIALIZING");
    assertThat(info.getJsonObject("node").getString("cluster")).isEqualTo("meshfed-ingressgateway");
    assertThat(info.getJsonObject("node").getString("id"))
        .isEqualTo("router~0.0.0.0~meshfed-ingressgateway.meshfed-system~meshfed-system.svc.cluster.local");
    assertThat(info.getJsonObject("node").getJsonObject("metadata").getString("CLUSTER_ID")).isEqualTo("east");
    HttpResponse<String> ready = get(admin("/ready"));
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).isEqualTo("INITIALIZING\n");
  }

  @Test
  void statsListEveryMeterAndFilter() throws Exception {
    String text = get(admin("/stats?filter=%5Emeshfed_gateway")).body();
    assertThat(text.lines().toList()).contains("meshfed_gateway_ready: 0", "meshfed_gateway_draining: 0")
        .allMatch(line -> line.startsWith("meshfed_gateway"));
    JsonObject json = new JsonObject(get(admin("/stats?format=json&filter=jvm_threads_live")).body());
    assertThat(json.getJsonArray("stats")).isNotEmpty();
    assertThat(get(admin("/stats?format=prometheus")).body()).contains("# TYPE meshfed_gateway_ready gauge");
    HttpResponse<String> bad = get(admin("/stats?filter=%5B"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).startsWith("filter: [ (expected: a regular expression;");
  }

  @Test
  void requestzFindsRecentRequestsById() throws Exception {
    HttpResponse<String> found = get(admin("/requestz?id=req-1"));
    assertThat(found.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(found.body());
    assertThat(body.getJsonObject("gateway")).isEqualTo(new JsonObject().put("name", "meshfed-ingressgateway")
        .put("namespace", "meshfed-system").put("cluster", "east").put("role", "ingress"));
    assertThat(body.getString("request_id")).isEqualTo("req-1");
    JsonObject entry = body.getJsonArray("entries").getJsonObject(0);
    assertThat(entry.getString("response_flags")).isEqualTo("UF");
    assertThat(entry.getInteger("response_code")).isEqualTo(503);
    assertThat(entry.getString("path")).isEqualTo("/reviews/1");

    HttpResponse<String> missing = get(admin("/requestz?id=nope"));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getJsonArray("entries")).isEmpty();

    JsonArray latest = new JsonObject(get(admin("/requestz?limit=1")).body()).getJsonArray("entries");
    assertThat(latest).hasSize(1);
    assertThat(latest.getJsonObject(0).getString("x_request_id")).isEqualTo("req-2");
    HttpResponse<String> badLimit = get(admin("/requestz?limit=0"));
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.body()).isEqualTo("limit: 0 (expected: a number from 1 to 1024)\n");
  }

  @Test
  void indexListsTheEndpointsAndDrainNeedsAPost() throws Exception {
    assertThat(get(admin("/")).body()).contains("/config_dump", "/requestz?id=ID", "POST /drain_listeners");
    assertThat(get(admin("/drain_listeners")).statusCode()).isEqualTo(405);
  }

  @Test
  void adminListensOnLoopbackByDefault() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      GatewayRuntime defaults = GatewayRuntime.builder(vertx, RuntimeFixture.INGRESS).bindHost("127.0.0.1")
          .healthPort(0).metricsPort(0).adminPort(0).build();
      await(defaults.start());
      assertThat(get("http://127.0.0.1:" + defaults.adminPort() + "/ready").statusCode()).isEqualTo(503);
      // Not reachable through any other local address.
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (!address.isLoopbackAddress() && address instanceof Inet4Address) {
            try (Socket socket = new Socket()) {
              assertThatThrownBy(() -> socket.connect(new InetSocketAddress(address, defaults.adminPort()), 1000))
                  .isInstanceOf(IOException.class);
            }
          }
        }
      }
      await(defaults.close());
    } finally {
      await(vertx.close());
    }
  }
}
