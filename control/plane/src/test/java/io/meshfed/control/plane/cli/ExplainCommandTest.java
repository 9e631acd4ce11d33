package io.meshfed.control.plane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.flags.Cause;
import io.meshfed.control.client.flags.Explanations;
import io.meshfed.control.client.flags.FlagExplanation;
import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.control.client.runtime.AdminDirectory;
import io.meshfed.control.client.runtime.GatewayIdentity;
import io.meshfed.control.client.runtime.GatewayRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

class ExplainCommandTest {

  private static final String FAILED_ID = "9f1c4d1e-5a7b-4c2d-8e3f-0a1b2c3d4e5f";
  private static final String DENIED_ID = "0c6a2e7d-1111-4c2d-8e3f-0a1b2c3d4e5f";
  private static final String OK_ID = "7d3b0f00-2222-4c2d-8e3f-0a1b2c3d4e5f";
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.100Z");

  // Made per run of the class: surefire's rerun of a failed test runs @BeforeAll again after @AfterAll closed it.
  private static Vertx vertx;
  private static GatewayRuntime ingress;
  private static GatewayRuntime eastwest;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Two gateways of a federation on their clusters' loopback addresses, with what they saw of a few requests. */
  @BeforeAll
  static void startGateways() throws Exception {
    vertx = Vertx.vertx();
    ingress = await(runtime(new GatewayIdentity("meshfed-ingressgateway", "meshfed-system", "east", "ingress"),
        "127.0.1.1"));
    eastwest = await(runtime(new GatewayIdentity("meshfed-eastwestgateway", "meshfed-system", "west", "eastwest"),
        "127.0.2.1"));
    // The ingress gateway forwarded the east-west gateway's 503; the east-west gateway could not reach the pod.
    ingress.recentRequests().add(AccessLogEntry.http().requestId(FAILED_ID).startTime(T0).method("GET")
        .path("/reviews/0").authority("bookinfo.example.com").protocol("HTTP/1.1").responseCode(503)
        .responseCodeDetails("via_upstream").durationMillis(14).upstreamServiceTimeMillis(13)
        .upstreamHost("127.0.2.1:15443").upstreamCluster("outbound|9080||reviews.default.svc.cluster.local")
        .routeName("reviews").build());
    eastwest.recentRequests().add(AccessLogEntry.http().requestId(FAILED_ID).startTime(T0.plusMillis(2))
        .method("GET").path("/reviews/0").authority("reviews.default.svc.cluster.local:9080").protocol("HTTP/2")
        .responseCode(503).responseFlags(ResponseFlags.of(ResponseFlag.UF, ResponseFlag.URX))
        .responseCodeDetails("upstream_reset_before_response_started{connection_failure}")
        .upstreamTransportFailureReason("delayed connect error: 111").upstreamRequestAttemptCount(3)
        .durationMillis(9).upstreamHost("10.2.0.7:9080")
        .upstreamCluster("outbound_.9080_._.reviews.default.svc.cluster.local").build());
    ingress.recentRequests().add(AccessLogEntry.http().requestId(DENIED_ID).startTime(T0).method("DELETE")
        .path("/admin").responseCode(403)
        .responseCodeDetails("rbac_access_denied_matched_policy[ns[default]-policy[deny-delete]-rule[0]]").build());
    ingress.recentRequests().add(AccessLogEntry.http().requestId(OK_ID).startTime(T0).method("GET")
        .path("/productpage").responseCode(200).durationMillis(3).build());
  }

  private static Future<GatewayRuntime> runtime(GatewayIdentity identity, String host) {
    return GatewayRuntime.builder(vertx, identity).bindHost(host).adminHost(host).healthPort(0).metricsPort(0)
        .adminPort(0).build().start();
  }

  @AfterAll
  static void stopGateways() throws Exception {
    await(ingress.close());
    await(eastwest.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static String admin(GatewayRuntime runtime, String host) {
    return "http://" + host + ":" + runtime.adminPort();
  }

  private int run(String... args) {
    CommandLine commandLine = new CommandLine(new ExplainCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @ParameterizedTest
  @EnumSource(ResponseFlag.class)
  void explainsEveryFlagTheGatewaysEmit(ResponseFlag flag) {
    assertThat(run(flag.code())).as(err.toString()).isZero();
    FlagExplanation explanation = Explanations.of(flag);
    String text = out.toString();
    assertThat(text).startsWith(flag.code() + "  " + flag.longName() + "  (typical status: ")
        .contains("What happened", "Likely causes, most common first");
    for (Cause cause : explanation.causes()) {
      assertThat(text).contains(". " + cause.name()).contains("why:").contains("confirm: - ").contains("fix:");
    }
    // Wrapped for a terminal.
    assertThat(text.lines()).allMatch(line -> line.length() <= ExplainPrinter.WIDTH + 40);
  }

  @Test
  void acceptsLongNamesLowerCaseAndSeveralFlags() {
    assertThat(run("UpstreamConnectionFailure")).isZero();
    assertThat(out.toString()).startsWith("UF  UpstreamConnectionFailure");
    out.getBuffer().setLength(0);
    assertThat(run("urx,uf")).isZero();
    String text = out.toString();
    assertThat(text).startsWith("UF  UpstreamConnectionFailure").contains("\nURX  UpstreamRetryLimitExceeded");
  }

  @Test
  void explainsNoFlagAndRbacDenials() {
    assertThat(run("-")).isZero();
    assertThat(out.toString()).startsWith("-  no response flag").contains("a later hop generated the failure");
    out.getBuffer().setLength(0);
    assertThat(run("rbac_access_denied")).isZero();
    assertThat(out.toString()).contains("AuthorizationPolicy denial (RBAC)", "no ALLOW policy matched");
  }

  @Test
  void flagsAsJson() {
    assertThat(run("UC", "--output", "json")).isZero();
    JsonObject json = new JsonObject(out.toString());
    JsonObject uc = json.getJsonArray("explanations").getJsonObject(0);
    assertThat(uc.getString("subject")).isEqualTo("UC");
    assertThat(uc.getString("typical_status")).isEqualTo("503");
    assertThat(uc.getJsonArray("causes").getJsonObject(0).getString("name")).isEqualTo("keep-alive mismatch");
    assertThat(uc.getJsonArray("causes").getJsonObject(0).getJsonArray("confirm")).isNotEmpty();
  }

  @Test
  void anUnknownFlagIsAUsageErrorListingTheKnownOnes() {
    assertThat(run("UX")).isEqualTo(2);
    assertThat(err.toString()).contains("explain: response flags: UX in \"UX\" is not a response flag")
        .contains("UH, UT, LR").contains("add --admin URL or --from FILE");
  }

  @Test
  void aRequestIdNeedsToKnowWhereToAsk() {
    assertThat(run(FAILED_ID)).isEqualTo(2);
    assertThat(err.toString()).contains("explain " + FAILED_ID
        + ": a request id needs --admin URL or --from FILE to find the gateways that saw it");
  }

  @Test
  void aRequestIdShowsEveryHopAndExplainsWhereTheFailureBegan(@TempDir Path dir) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path file = dir.resolve("admin.json");
    Files.writeString(file, new AdminDirectory(List.of(
        new AdminDirectory.Endpoint("east", "ingress", URI.create(admin(ingress, "127.0.1.1"))),
        new AdminDirectory.Endpoint("west", "eastwest", URI.create(admin(eastwest, "127.0.2.1"))),
        new AdminDirectory.Endpoint("third", "eastwest", URI.create("http://127.0.3.1:" + closedPort))))
        .toJson());

    assertThat(run(FAILED_ID, "--from", file.toString())).as(err.toString()).isZero();
    String text = out.toString();
    assertThat(text).startsWith("request " + FAILED_ID
        + ": GET bookinfo.example.com/reviews/0, seen by 2 gateway hop(s)");
    List<String> lines = text.lines().toList();
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("1    meshfed-ingressgateway ")
        .contains(" east ", " ingress ", " 503 ", " -  ", "14 ms", "127.0.2.1:15443 (outbound|9080||reviews"));
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("2    meshfed-eastwestgateway")
        .contains(" west ", " eastwest ", " 503 ", " UF,URX ", "9 ms", "10.2.0.7:9080"));
    assertThat(text)
        .contains("The failure began at hop 2 (meshfed-eastwestgateway, cluster west): 503 UF,URX")
        .contains("  response_code_details: upstream_reset_before_response_started{connection_failure}")
        .contains("  upstream_transport_failure_reason: delayed connect error: 111")
        .contains("  upstream_request_attempt_count: 3")
        .contains("UF  UpstreamConnectionFailure")
        .contains("URX  UpstreamRetryLimitExceeded")
        .contains("Not asked: these admin servers did not answer")
        .contains("http://127.0.3.1:" + closedPort + ": ConnectException");
  }

  @Test
  void aRequestIdAsJson() throws Exception {
    assertThat(run(FAILED_ID, "--admin", admin(ingress, "127.0.1.1"), "--admin", admin(eastwest, "127.0.2.1"),
        "-o", "json")).isZero();
    JsonObject json = new JsonObject(out.toString());
    assertThat(json.getString("request_id")).isEqualTo(FAILED_ID);
    assertThat(json.getBoolean("found")).isTrue();
    JsonArray hops = json.getJsonArray("hops");
    assertThat(hops).hasSize(2);
    assertThat(hops.getJsonObject(0).getJsonObject("gateway").getString("role")).isEqualTo("ingress");
    assertThat(hops.getJsonObject(1).getJsonObject("gateway").getString("cluster")).isEqualTo("west");
    assertThat(hops.getJsonObject(1).getJsonObject("entry").getString("response_flags")).isEqualTo("UF,URX");
    assertThat(json.getInteger("failing_hop")).isEqualTo(2);
    assertThat(json.getJsonArray("explanations").stream().map(e -> ((JsonObject) e).getString("subject")).toList())
        .containsExactly("UF", "URX");
    assertThat(json.getJsonArray("unreachable")).isEmpty();
  }

  @Test
  void anRbacDenialIsExplainedFromItsDetails() {
    assertThat(run(DENIED_ID, "--admin", admin(ingress, "127.0.1.1"))).isZero();
    assertThat(out.toString()).contains("The failure began at hop 1 (meshfed-ingressgateway, cluster east): 403 -")
        .contains("rbac_access_denied_matched_policy[ns[default]-policy[deny-delete]-rule[0]]")
        .contains("AuthorizationPolicy denial (RBAC)");
  }

  @Test
  void aSuccessfulRequestSaysNoHopFailed() {
    assertThat(run(OK_ID, "--admin", admin(ingress, "127.0.1.1"), "--admin", admin(eastwest, "127.0.2.1")))
        .isZero();
    assertThat(out.toString()).contains("No hop failed");
  }

  @Test
  void anUnknownRequestIdExitsOneNamingWhatWasAsked() {
    assertThat(run("no-such-request-id", "--admin", admin(ingress, "127.0.1.1"))).isEqualTo(1);
    assertThat(out.toString()).contains("seen by none of the 1 gateway(s) asked");
    assertThat(err.toString()).contains("request no-such-request-id was not found on any of the 1 gateway admin "
        + "server(s) asked");
  }

  @Test
  void badWhereToAskIsAUsageError(@TempDir Path dir) throws Exception {
    assertThat(run(FAILED_ID, "--admin", "ftp://127.0.0.1:15000")).isEqualTo(2);
    assertThat(err.toString()).contains("--admin: ftp://127.0.0.1:15000 (expected: a gateway admin URL");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"clusters\": {\"east\": {\"sidecar\": \"http://127.0.0.1:15000\"}}}");
    err.getBuffer().setLength(0);
    assertThat(run(FAILED_ID, "--from", bad.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--from: " + bad + ": clusters.east.sidecar: unknown role sidecar "
        + "(expected: eastwest, ingress or egress)");
  }
}
