package io.meshfed.control.client.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogJsonTest {

  static AccessLogEntry fullEntry() {
    return AccessLogEntry.http()
        .startTime(Instant.parse("2026-01-02T03:04:05Z"))
        .method("GET").path("/reviews/0?x=\"quoted\"").protocol("HTTP/2")
        .responseCode(503).responseFlags(ResponseFlags.of(ResponseFlag.URX, ResponseFlag.UF))
        .responseCodeDetails("upstream_reset_before_response_started{connection_failure}")
        .connectionTerminationDetails("-")
        .upstreamTransportFailureReason("TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED")
        .bytesReceived(12).bytesSent(91).durationMillis(33).upstreamServiceTimeMillis(30)
        .upstreamRequestAttemptCount(3)
        .xForwardedFor("203.0.113.7").userAgent("curl/8.5.0")
        .requestId("9f1c4d1e-5a7b-4c2d-8e3f-0a1b2c3d4e5f").authority("bookinfo.example.com")
        .upstreamHost("127.0.2.11:15443").upstreamCluster("outbound|9080||reviews.default.svc.cluster.local")
        .upstreamLocalAddress("127.0.1.10:40312").downstreamLocalAddress("127.0.1.10:8080")
        .downstreamRemoteAddress("203.0.113.7:51234")
        .requestedServerName("bookinfo.example.com").routeName("reviews-route")
        .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .sourcePrincipal("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway").sourceCluster("east")
        .destinationPrincipal("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-eastwestgateway")
        .destinationCluster("west")
        .build();
  }

  @Test
  void writesEveryFieldIstioUsersKnow() {
    JsonObject json = new JsonObject(AccessLogJson.encode(fullEntry()));
    assertThat(json.fieldNames()).containsExactlyInAnyOrderElementsOf(AccessLogJson.FIELDS);
    assertThat(json.getString("start_time")).isEqualTo("2026-01-02T03:04:05.000Z");
    assertThat(json.getString("method")).isEqualTo("GET");
    assertThat(json.getString("path")).isEqualTo("/reviews/0?x=\"quoted\"");
    assertThat(json.getString("protocol")).isEqualTo("HTTP/2");
    assertThat(json.getInteger("response_code")).isEqualTo(503);
    assertThat(json.getString("response_flags")).isEqualTo("UF,URX");
    assertThat(json.getString("response_code_details"))
        .isEqualTo("upstream_reset_before_response_started{connection_failure}");
    assertThat(json.getString("upstream_transport_failure_reason")).contains("CERTIFICATE_VERIFY_FAILED");
    assertThat(json.getLong("bytes_received")).isEqualTo(12);
    assertThat(json.getLong("bytes_sent")).isEqualTo(91);
    assertThat(json.getLong("duration")).isEqualTo(33);
    assertThat(json.getLong("upstream_service_time")).isEqualTo(30);
    assertThat(json.getInteger("upstream_request_attempt_count")).isEqualTo(3);
    assertThat(json.getString("x_forwarded_for")).isEqualTo("203.0.113.7");
    assertThat(json.getString("user_agent")).isEqualTo("curl/8.5.0");
    assertThat(json.getString("x_request_id")).isEqualTo("9f1c4d1e-5a7b-4c2d-8e3f-0a1b2c3d4e5f");
    assertThat(json.getString("authority")).isEqualTo("bookinfo.example.com");
    assertThat(json.getString("upstream_host")).isEqualTo("127.0.2.11:15443");
    assertThat(json.getString("upstream_cluster")).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(json.getString("downstream_remote_address")).isEqualTo("203.0.113.7:51234");
    assertThat(json.getString("requested_server_name")).isEqualTo("bookinfo.example.com");
    assertThat(json.getString("route_name")).isEqualTo("reviews-route");
    assertThat(json.getString("traceparent")).startsWith("00-4bf92f35");
    assertThat(json.getString("source_principal")).endsWith("/sa/meshfed-ingressgateway");
    assertThat(json.getString("source_cluster")).isEqualTo("east");
    assertThat(json.getString("destination_cluster")).isEqualTo("west");
  }

  @Test
  void unknownValuesAreNullAndTheLineIsOneLine() {
    AccessLogEntry entry = AccessLogEntry.tcp().startTime(Instant.parse("2026-01-02T03:04:05.5Z"))
        .requestedServerName("outbound_.9080_._.reviews.default.svc.cluster.local").build();
    String line = AccessLogJson.encode(entry);
    assertThat(line).doesNotContain("\n");
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("kind")).isEqualTo("tcp");
    assertThat(json.getString("start_time")).isEqualTo("2026-01-02T03:04:05.500Z");
    assertThat(json.getValue("method")).isNull();
    assertThat(json.getValue("duration")).isNull();
    assertThat(json.getValue("upstream_service_time")).isNull();
    assertThat(json.getValue("upstream_request_attempt_count")).isNull();
    assertThat(json.getString("response_flags")).isEqualTo("-");
    assertThat(json.getInteger("response_code")).isZero();
  }

  @Test
  void decodingGivesBackTheSameEntry() {
    AccessLogEntry entry = fullEntry();
    assertThat(AccessLogJson.decode(new JsonObject(AccessLogJson.encode(entry)))).isEqualTo(entry);
    AccessLogEntry tcp = AccessLogEntry.tcp().startTime(Instant.parse("2026-01-02T03:04:05.5Z")).build();
    assertThat(AccessLogJson.decode(new JsonObject(AccessLogJson.encode(tcp)))).isEqualTo(tcp);
  }

  @Test
  void decodingBadValuesNamesTheProblem() {
    assertThatThrownBy(() -> AccessLogJson.decode(new JsonObject().put("response_flags", "XYZ")))
        .hasMessageContaining("XYZ").hasMessageContaining("is not a response flag");
    assertThatThrownBy(() -> AccessLogJson.decode(new JsonObject().put("start_time", "yesterday")))
        .hasMessageContaining("yesterday").hasMessageContaining("docs/diagnostics.md");
  }
}
