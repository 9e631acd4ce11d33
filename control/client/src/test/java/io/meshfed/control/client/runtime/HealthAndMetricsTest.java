package io.meshfed.control.client.runtime;

import static io.meshfed.control.client.runtime.RuntimeFixture.await;
import static io.meshfed.control.client.runtime.RuntimeFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.control.client.metrics.DestinationService;
import io.meshfed.control.client.metrics.RequestMetric;
import io.meshfed.control.client.metrics.TrafficLabels;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthAndMetricsTest {

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;

  @AfterEach
  void close() throws Exception {
    if (runtime != null) {
      await(runtime.close());
    }
    await(vertx.close());
  }

  private String health(String path) {
    return "http://127.0.0.1:" + runtime.healthPort() + path;
  }

  @Test
  void readyOnlyWithConfigAndAValidCertificateAndSaysWhyNot() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).build().start());

    HttpResponse<String> before = get(health("/healthz/ready"));
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).startsWith("not ready (INITIALIZING):")
        .contains("- no config accepted from the control plane yet")
        .contains("- no certificate yet (waiting for the gateway's SVID");

    runtime.readiness().configAccepted("v7");
    HttpResponse<String> noCert = get(health("/healthz/ready"));
    assertThat(noCert.statusCode()).isEqualTo(503);
    assertThat(noCert.body()).doesNotContain("no config accepted").contains("no certificate yet");

    runtime.readiness().certificateUnavailable("CSR rejected by the control plane: unknown service account");
    assertThat(get(health("/healthz/ready")).body())
        .contains("- no certificate: CSR rejected by the control plane: unknown service account");

    runtime.readiness().certificateLoaded(Instant.now().minusSeconds(1));
    assertThat(get(health("/healthz/ready")).body()).contains("- certificate expired at ");

    Instant notAfter = Instant.now().plusSeconds(3600);
    runtime.readiness().certificateLoaded(notAfter);
    HttpResponse<String> ready = get(health("/healthz/ready"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready\n").contains("config version v7")
        .contains("certificate valid until " + notAfter);
    assertThat(get(health("/healthz/live")).statusCode()).isEqualTo(200);
  }

  @Test
  void gatewaysWithoutCertificatesCanOptOut() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).certificateRequired(false).build().start());
    runtime.readiness().configAccepted("v1");
    assertThat(get(health("/healthz/ready")).statusCode()).isEqualTo(200);
  }

  @Test
  void prometheusServesIstioAndJvmMetrics() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).build().start());
    TrafficLabels labels = TrafficLabels.builder()
        .destinationService(DestinationService.ofHost("reviews.default.svc.cluster.local")).build();
    runtime.istioMetrics().recordRequest(RequestMetric.http(labels, 503, ResponseFlags.of(ResponseFlag.UH), 2, 0,
        19));

    HttpResponse<String> scrape = get("http://127.0.0.1:" + runtime.metricsPort() + "/stats/prometheus");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("text/plain"));
    assertThat(scrape.body())
        .contains("istio_requests_total{")
        .contains("response_flags=\"UH\"")
        .contains("istio_request_duration_milliseconds_bucket{")
        .contains("jvm_memory_used_bytes{")
        .contains("process_cpu_usage")
        .contains("jvm_threads_live_threads")
        .contains("meshfed_gateway_ready 0.0")
        .contains("meshfed_gateway_draining 0.0");
  }

  @Test
  void aTakenPortFailsStartNamingTheSettingAndReleasesTheOthers() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      GatewayRuntime blocked = RuntimeFixture.runtime(vertx).adminPort(taken.getLocalPort()).build();
      assertThatThrownBy(() -> await(blocked.start()))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .hasMessageContaining("cannot bind the admin server to 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("set ports.admin, or 0 for any free port");
      // The health and metrics servers it had bound were closed again.
      assertThat(blocked.healthPort()).isPositive();
      assertThatThrownBy(() -> get("http://127.0.0.1:" + blocked.healthPort() + "/healthz/live"))
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void badSettingsAreRefusedByName() {
    GatewayRuntime.Builder builder = GatewayRuntime.builder(vertx, RuntimeFixture.INGRESS);
    assertThatThrownBy(() -> builder.healthPort(70000))
        .hasMessage("ports.health: 70000 (expected: 0..65535, 0 for any free port)");
    assertThatThrownBy(() -> builder.drainTimeout(Duration.ofSeconds(-1)))
        .hasMessage("drainTimeout: PT-1S (expected: >= 0)");
    assertThatThrownBy(() -> new GatewayIdentity("gw", "ns", "east", "sidecar"))
        .hasMessage("role: sidecar (expected: eastwest, ingress or egress)");
  }
}
