package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.launcher.Meshfed;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The diagnostics a service team reaches for, against {@code meshfed demo} from the launcher jar (east on
 * 127.0.71.x, west on 127.0.72.x): one cross-cluster request through east's ingress shows up in Istio's standard
 * metrics on both gateways' :15090, its {@code x-request-id} (returned to the client) traces both hops with
 * {@code meshfed explain --from admin.json}, and {@code meshfed proxy-config <ingress> secrets} lists the gateway's own
 * SVID as {@code default}.
 */
@Timeout(value = 110, unit = java.util.concurrent.TimeUnit.SECONDS)
class DemoDiagnosticsTest {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String INGRESS_ID = "spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway";
  private static final String RATINGS = "ratings.default.svc.cluster.local";

  @TempDir
  static Path dir;
  static DemoProcess demo;
  static String readyUrl;
  static JsonObject east;
  static JsonObject west;
  static String requestId;

  @BeforeAll
  static void startDemoAndSendOneCrossClusterRequest() throws Exception {
    demo = DemoProcess.start(dir.resolve("demo"), "--first-subnet", "71", "--ingress-port", "18086");
    readyUrl = demo.awaitReady(READY_TIMEOUT);
    east = demo.cluster("east");
    west = demo.cluster("west");
    HttpResponse<String> response = get(readyUrl + "/ratings");
    assertThat(response.statusCode()).as("GET /ratings: %s", response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-meshfed-served-by")).hasValue("west/ratings/v1");
    requestId = response.headers().firstValue("x-request-id").orElseThrow(() -> new AssertionError(
        "east's ingress returned no x-request-id: " + response.headers().map()));
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void bothGatewaysReportTheRequestInIstiosStandardMetrics() throws Exception {
    // East's ingress: a gateway reports as the source; the destination is the routed service.
    String eastIngress = metricsUrl(east, "ingress");
    List<String> ingressSeries = awaitSeries(eastIngress, "istio_requests_total{", line ->
        line.contains("response_code=\"200\"") && line.contains("destination_service=\"" + RATINGS + "\"")
            && line.contains("reporter=\"source\"") && line.contains("source_workload=\"meshfed-ingressgateway\""));
    assertThat(ingressSeries.get(0)).contains("source_cluster=\"east\"", "response_flags=\"-\"");
    assertThat(awaitSeries(eastIngress, "istio_request_duration_milliseconds_bucket{", line ->
        line.contains("destination_service=\"" + RATINGS + "\""))).isNotEmpty();

    // West's east-west gateway terminates east's mTLS for ratings (no sidecar): it reports as the destination, with
    // east's ingress as the verified source.
    List<String> westSeries = awaitSeries(metricsUrl(west, "eastwest"), "istio_requests_total{", line ->
        line.contains("response_code=\"200\"") && line.contains("destination_service=\"" + RATINGS + "\""));
    assertThat(westSeries.get(0)).contains("reporter=\"destination\"", "source_principal=\"" + INGRESS_ID + "\"",
        "connection_security_policy=\"mutual_tls\"", "destination_cluster=\"west\"");
  }

  @Test
  void theRequestIdTheClientGotTracesBothHops() throws Exception {
    Path admins = dir.resolve("demo").resolve("admin.json");
    // Access-log entries reach /requestz once the response is written: poll briefly rather than sleep.
    long deadline = System.nanoTime() + METRICS_TIMEOUT.toNanos();
    Run json;
    do {
      json = execute("explain", requestId, "--from", admins.toString(), "-o", "json");
    } while ((json.exit() != 0 || new JsonObject(json.out()).getJsonArray("hops").size() < 2)
        && System.nanoTime() < deadline);
    assertThat(json.exit()).as("meshfed explain %s: %s", requestId, json.err()).isZero();
    JsonObject trace = new JsonObject(json.out());
    JsonArray hops = trace.getJsonArray("hops");
    assertThat(hops.stream().map(JsonObject.class::cast)
        .map(hop -> hop.getJsonObject("gateway").getString("cluster") + "/"
            + hop.getJsonObject("gateway").getString("role")))
        .as("hops of %s: %s", requestId, trace.encodePrettily())
        .containsExactlyInAnyOrder("east/ingress", "west/eastwest");
    assertThat(trace.getValue("failing_hop")).isNull();

    String human = run("explain", requestId, "--from", admins.toString()).out();
    assertThat(human).contains("request " + requestId, "seen by 2 gateway hop(s)", "meshfed-ingressgateway",
        "meshfed-eastwestgateway", "No hop failed");
  }

  @Test
  void proxyConfigSecretsListsTheIngressOwnSvidAsDefault() {
    String admin = east.getJsonObject("gatewayAdminUrls").getString("ingress");
    String table = run("proxy-config", "meshfed-ingressgateway.meshfed-system", "secrets", "--admin", admin).out();
    String defaultRow = table.lines().filter(line -> line.startsWith("default ")).findFirst()
        .orElseThrow(() -> new AssertionError("no default secret:\n" + table));
    assertThat(defaultRow).contains("Cert Chain", "ACTIVE", "true").endsWith(INGRESS_ID);
    assertThat(table).contains("ROOTCA").doesNotContain("PRIVATE KEY");
    String json = run("proxy-config", "meshfed-ingressgateway.meshfed-system", "secrets", "--admin", admin, "-o",
        "json").out();
    assertThat(json).contains("\"default\"", "certificate_chain").doesNotContain("private_key", "PRIVATE KEY");
  }

  /** The gateway's Prometheus endpoint: its metrics port on the address its admin binds (docs/demo.md). */
  private static String metricsUrl(JsonObject cluster, String role) {
    URI admin = URI.create(cluster.getJsonObject("gatewayAdminUrls").getString(role));
    return "http://" + admin.getHost() + ":15090/stats/prometheus";
  }

  /** The series lines of {@code prefix} matching, waiting for one: the engines record after the response. */
  private static List<String> awaitSeries(String url, String prefix, Predicate<String> match) throws Exception {
    long deadline = System.nanoTime() + METRICS_TIMEOUT.toNanos();
    String body;
    do {
      HttpResponse<String> response = get(url);
      assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
      body = response.body();
      List<String> found = body.lines().filter(line -> line.startsWith(prefix)).filter(match).toList();
      if (!found.isEmpty()) {
        return found;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    List<String> seen = body.lines().filter(line -> line.startsWith("istio_")).limit(20).toList();
    throw new AssertionError("no matching " + prefix + " series at " + url + "; istio_ series seen: " + seen);
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code meshfed ARGS} in this JVM (the launcher is on the test classpath), which must exit 0. */
  private static Run run(String... args) {
    Run run = execute(args);
    assertThat(run.exit()).as("meshfed %s: %s%s", String.join(" ", args), run.err(), run.out()).isZero();
    return run;
  }

  private static Run execute(String... args) {
    CommandLine line = Meshfed.commandLine();
    StringWriter out = new StringWriter();
    line.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private record Run(int exit, String out, String err) {
  }
}
