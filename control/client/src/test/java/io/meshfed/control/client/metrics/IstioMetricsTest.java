package io.meshfed.control.client.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {

  /** Istio's label names (istio.io "Istio Standard Metrics"), as an Istio proxy exports them. */
  static final Set<String> ISTIO_HTTP_LABELS = Set.of(
      "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app",
      "source_version", "source_canonical_service", "source_canonical_revision", "source_cluster",
      "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app",
      "destination_version", "destination_service", "destination_service_name", "destination_service_namespace",
      "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
      "request_protocol", "response_code", "grpc_response_status", "response_flags", "connection_security_policy");

  static final Set<String> ISTIO_TCP_LABELS = ISTIO_HTTP_LABELS.stream()
      .filter(label -> !label.equals("response_code") && !label.equals("grpc_response_status"))
      .collect(Collectors.toSet());

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)}\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final IstioMetrics metrics = new IstioMetrics(registry);

  static TrafficLabels reviewsFromIngress() {
    return TrafficLabels.builder()
        .reporter(Reporter.SOURCE)
        .source(Workload.builder().name("meshfed-ingressgateway").namespace("meshfed-system")
            .principal("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway")
            .app("meshfed-ingressgateway").cluster("east").build())
        .destination(Workload.fromIstioMetadata("reviews-v2;default;reviews;v2;west",
            "spiffe://cluster.local/ns/default/sa/bookinfo-reviews"))
        .destinationService(DestinationService.ofHost("reviews.default.svc.cluster.local"))
        .securityPolicy(SecurityPolicy.UNKNOWN)
        .build();
  }

  record Sample(String name, Map<String, String> labels, double value) {
  }

  static List<Sample> scrape(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher matcher = SAMPLE.matcher(line);
      if (matcher.matches()) {
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher label = LABEL.matcher(matcher.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
        samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
      }
    }
    return samples;
  }

  @Test
  void requestMetricsCarryIstiosNamesAndLabels() {
    metrics.recordRequest(RequestMetric.http(reviewsFromIngress(), 503, ResponseFlags.of(ResponseFlag.UF), 12.5,
        100, 91));
    List<Sample> samples = scrape(registry.scrape());

    Sample requests = samples.stream().filter(s -> s.name().equals("istio_requests_total")).findFirst().orElseThrow();
    assertThat(requests.labels().keySet()).containsExactlyInAnyOrderElementsOf(ISTIO_HTTP_LABELS);
    assertThat(requests.value()).isEqualTo(1.0);
    assertThat(requests.labels()).containsEntry("reporter", "source")
        .containsEntry("response_code", "503")
        .containsEntry("response_flags", "UF")
        .containsEntry("grpc_response_status", "")
        .containsEntry("request_protocol", "http")
        .containsEntry("source_cluster", "east")
        .containsEntry("destination_cluster", "west")
        .containsEntry("destination_workload", "reviews-v2")
        .containsEntry("destination_version", "v2")
        .containsEntry("destination_canonical_service", "reviews")
        .containsEntry("destination_canonical_revision", "v2")
        .containsEntry("destination_service", "reviews.default.svc.cluster.local")
        .containsEntry("destination_service_name", "reviews")
        .containsEntry("destination_service_namespace", "default")
        .containsEntry("destination_principal", "spiffe://cluster.local/ns/default/sa/bookinfo-reviews")
        .containsEntry("source_version", "unknown")
        .containsEntry("source_canonical_revision", "latest")
        .containsEntry("connection_security_policy", "unknown");

    for (String histogram : List.of("istio_request_duration_milliseconds", "istio_request_bytes",
        "istio_response_bytes")) {
      List<Sample> buckets = samples.stream().filter(s -> s.name().equals(histogram + "_bucket")).toList();
      assertThat(buckets).as(histogram).isNotEmpty();
      assertThat(buckets.stream().map(s -> s.labels().get("le")).toList())
          .as("%s buckets", histogram)
          .containsExactly("0.5", "1.0", "5.0", "10.0", "25.0", "50.0", "100.0", "250.0", "500.0", "1000.0",
              "2500.0", "5000.0", "10000.0", "30000.0", "60000.0", "300000.0", "600000.0", "1800000.0",
              "3600000.0", "+Inf");
      Map<String, String> labels = new LinkedHashMap<>(buckets.get(0).labels());
      labels.remove("le");
      assertThat(labels.keySet()).as(histogram).containsExactlyInAnyOrderElementsOf(ISTIO_HTTP_LABELS);
      assertThat(samples).as(histogram + "_count")
          .anyMatch(s -> s.name().equals(histogram + "_count") && s.value() == 1.0);
    }
    // 12.5 ms lands in the 25 ms bucket, not the 10 ms one.
    assertThat(durationBucket(samples, "25.0").value()).isEqualTo(1.0);
    assertThat(durationBucket(samples, "10.0").value()).isZero();
  }

  private static Sample durationBucket(List<Sample> samples, String le) {
    return samples.stream()
        .filter(s -> s.name().equals("istio_request_duration_milliseconds_bucket") && s.labels().get("le").equals(le))
        .findFirst().orElseThrow();
  }

  @Test
  void grpcRequestsCarryTheirProtocolAndStatus() {
    metrics.recordRequest(new RequestMetric(reviewsFromIngress(), RequestProtocol.GRPC, 200, 14, ResponseFlags.NONE,
        3, 10, 10));
    Sample requests = scrape(registry.scrape()).stream().filter(s -> s.name().equals("istio_requests_total"))
        .findFirst().orElseThrow();
    assertThat(requests.labels()).containsEntry("request_protocol", "grpc")
        .containsEntry("grpc_response_status", "14")
        .containsEntry("response_flags", "-");
  }

  @Test
  void tcpMetricsCarryIstiosNamesAndLabels() {
    TrafficLabels labels = reviewsFromIngress().toBuilder().reporter(Reporter.DESTINATION)
        .securityPolicy(SecurityPolicy.MUTUAL_TLS).build();
    metrics.recordConnectionOpened(labels);
    metrics.recordConnectionBytes(new ConnectionMetric(labels, ResponseFlags.NONE, 1000, 200));
    metrics.recordConnectionClosed(new ConnectionMetric(labels, ResponseFlags.NONE, 24, 0));
    metrics.recordConnectionOpened(labels);
    metrics.recordConnectionClosed(new ConnectionMetric(labels, ResponseFlags.of(ResponseFlag.UF), 0, 0));

    List<Sample> samples = scrape(registry.scrape());
    for (String name : List.of("istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total",
        "istio_tcp_sent_bytes_total", "istio_tcp_received_bytes_total")) {
      List<Sample> series = samples.stream().filter(s -> s.name().equals(name)).toList();
      assertThat(series).as(name).isNotEmpty();
      for (Sample sample : series) {
        assertThat(sample.labels().keySet()).as(name).containsExactlyInAnyOrderElementsOf(ISTIO_TCP_LABELS);
        assertThat(sample.labels()).containsEntry("request_protocol", "tcp")
            .containsEntry("reporter", "destination")
            .containsEntry("connection_security_policy", "mutual_tls");
      }
    }
    assertThat(value(samples, "istio_tcp_connections_opened_total", "-")).isEqualTo(2.0);
    assertThat(value(samples, "istio_tcp_connections_closed_total", "-")).isEqualTo(1.0);
    assertThat(value(samples, "istio_tcp_connections_closed_total", "UF")).isEqualTo(1.0);
    assertThat(value(samples, "istio_tcp_sent_bytes_total", "-")).isEqualTo(1024.0);
    assertThat(value(samples, "istio_tcp_received_bytes_total", "-")).isEqualTo(200.0);
  }

  private static double value(List<Sample> samples, String name, String flags) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().get("response_flags").equals(flags))
        .mapToDouble(Sample::value).sum();
  }

  @Test
  void repeatedLabelSetsReuseTheirMeters() {
    TrafficLabels labels = reviewsFromIngress();
    for (int i = 0; i < 1000; i++) {
      metrics.recordRequest(RequestMetric.http(labels, 200, ResponseFlags.NONE, 1, 0, 10));
      metrics.recordRequest(RequestMetric.http(labels, 503, ResponseFlags.of(ResponseFlag.UO), 0, 0, 0));
      // An equal but distinct label object lands in the same meters.
      metrics.recordRequest(RequestMetric.http(reviewsFromIngress(), 200, ResponseFlags.NONE, 1, 0, 10));
    }
    assertThat(metrics.cachedCombinations()).isEqualTo(2);
    assertThat(registry.find("istio_requests_total").counters()).hasSize(2);
    assertThat(registry.get("istio_requests_total").tag("response_code", "200").counter().count())
        .isEqualTo(2000.0);
  }

  @Test
  void badRequestValuesAreRefusedWithTheirRange() {
    assertThatThrownBy(() -> RequestMetric.http(reviewsFromIngress(), 1000, ResponseFlags.NONE, 1, 0, 0))
        .hasMessage("responseCode: 1000 (expected: 0 for none, or 100..999)");
    assertThatThrownBy(() -> new RequestMetric(reviewsFromIngress(), RequestProtocol.GRPC, 200, 17,
        ResponseFlags.NONE, 1, 0, 0)).hasMessage("grpcStatus: 17 (expected: -1 for none, or 0..16)");
    assertThatThrownBy(() -> Workload.fromIstioMetadata("reviews-v2;default", "p"))
        .hasMessageContaining("<name>;<namespace>;<app>;<version>;<cluster>");
  }

  @Test
  void serviceEntryHostsAreTheirOwnName() {
    assertThat(DestinationService.ofHost("api.example.com"))
        .isEqualTo(new DestinationService("api.example.com", "api.example.com", "unknown"));
    assertThat(DestinationService.ofHost("ratings.bookinfo.svc"))
        .isEqualTo(new DestinationService("ratings.bookinfo.svc", "ratings", "bookinfo"));
  }

  @Test
  void clusterNamesGiveTheServiceTheyRouteTo() {
    DestinationService reviews = new DestinationService("reviews.default.svc.cluster.local", "reviews", "default");
    assertThat(DestinationService.ofCluster("outbound|9080|v1|reviews.default.svc.cluster.local")).isEqualTo(reviews);
    assertThat(DestinationService.ofCluster("inbound|9080||reviews.default.svc.cluster.local")).isEqualTo(reviews);
    assertThat(DestinationService.ofCluster("outbound_.9080_._.reviews.default.svc.cluster.local")).isEqualTo(reviews);
    assertThat(DestinationService.ofCluster("outbound_.9080_.v1_.reviews.default.svc.cluster.local"))
        .isEqualTo(reviews);
    assertThat(DestinationService.ofCluster("BlackHoleCluster").host()).isEqualTo("BlackHoleCluster");
    assertThat(DestinationService.ofCluster("")).isEqualTo(DestinationService.UNKNOWN);
    assertThat(DestinationService.ofCluster("inbound|8080||")).isEqualTo(DestinationService.UNKNOWN);
  }
}
