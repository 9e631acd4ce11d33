package io.meshfed.control.client.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.meshfed.control.client.flags.ResponseFlags;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of an access-log entry: one object per line, field names as in Istio's JSON access log (Envoy's
 * operators in snake case), unknown values {@code null}. {@code meshfed explain} reads entries back with
 * {@link #decode(JsonObject)}.
 */
public final class AccessLogJson {

  /** The field names, in the order they are written. */
  public static final List<String> FIELDS = List.of(
      "start_time", "kind", "method", "path", "protocol", "response_code", "response_flags",
      "response_code_details", "connection_termination_details", "upstream_transport_failure_reason",
      "bytes_received", "bytes_sent", "duration", "upstream_service_time", "upstream_request_attempt_count",
      "x_forwarded_for", "user_agent", "x_request_id", "authority", "upstream_host", "upstream_cluster",
      "upstream_local_address", "downstream_local_address", "downstream_remote_address", "requested_server_name",
      "route_name", "traceparent", "source_principal", "source_cluster", "destination_principal",
      "destination_cluster");

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private AccessLogJson() {
  }

  /** The entry as one line of JSON, without the newline. */
  public static String encode(AccessLogEntry entry) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      write(entry, json);
    } catch (IOException e) {
      throw new UncheckedIOException("writing an access-log entry to a string", e);
    }
    return out.toString();
  }

  /** Writes the entry as one JSON object. */
  static void write(AccessLogEntry entry, JsonGenerator json) throws IOException {
    json.writeStartObject();
    json.writeStringField("start_time", formatTime(entry.startTime()));
    json.writeStringField("kind", entry.kind().name().toLowerCase(Locale.ROOT));
    string(json, "method", entry.method());
    string(json, "path", entry.path());
    string(json, "protocol", entry.protocol());
    json.writeNumberField("response_code", entry.responseCode());
    json.writeStringField("response_flags", entry.responseFlags().toString());
    string(json, "response_code_details", entry.responseCodeDetails());
    string(json, "connection_termination_details", entry.connectionTerminationDetails());
    string(json, "upstream_transport_failure_reason", entry.upstreamTransportFailureReason());
    json.writeNumberField("bytes_received", entry.bytesReceived());
    json.writeNumberField("bytes_sent", entry.bytesSent());
    number(json, "duration", entry.durationMillis());
    number(json, "upstream_service_time", entry.upstreamServiceTimeMillis());
    number(json, "upstream_request_attempt_count", entry.upstreamRequestAttemptCount() == 0 ? -1
        : entry.upstreamRequestAttemptCount());
    string(json, "x_forwarded_for", entry.xForwardedFor());
    string(json, "user_agent", entry.userAgent());
    string(json, "x_request_id", entry.requestId());
    string(json, "authority", entry.authority());
    string(json, "upstream_host", entry.upstreamHost());
    string(json, "upstream_cluster", entry.upstreamCluster());
    string(json, "upstream_local_address", entry.upstreamLocalAddress());
    string(json, "downstream_local_address", entry.downstreamLocalAddress());
    string(json, "downstream_remote_address", entry.downstreamRemoteAddress());
    string(json, "requested_server_name", entry.requestedServerName());
    string(json, "route_name", entry.routeName());
    string(json, "traceparent", entry.traceparent());
    string(json, "source_principal", entry.sourcePrincipal());
    string(json, "source_cluster", entry.sourceCluster());
    string(json, "destination_principal", entry.destinationPrincipal());
    string(json, "destination_cluster", entry.destinationCluster());
    json.writeEndObject();
  }

  /**
   * Reads an entry back from its JSON form.
   *
   * @throws IllegalArgumentException naming the field when a value has the wrong type or format
   */
  public static AccessLogEntry decode(JsonObject json) {
    try {
      String kind = json.getString("kind", "http");
      AccessLogEntry.Builder builder = kind.equals("tcp") ? AccessLogEntry.tcp() : AccessLogEntry.http();
      String start = json.getString("start_time");
      return builder
          .startTime(start == null ? Instant.EPOCH : Instant.parse(start))
          .method(json.getString("method"))
          .path(json.getString("path"))
          .protocol(json.getString("protocol"))
          .responseCode((int) number(json, "response_code", 0))
          .responseFlags(ResponseFlags.parse(json.getString("response_flags", "-")))
          .responseCodeDetails(json.getString("response_code_details"))
          .connectionTerminationDetails(json.getString("connection_termination_details"))
          .upstreamTransportFailureReason(json.getString("upstream_transport_failure_reason"))
          .bytesReceived(number(json, "bytes_received", 0))
          .bytesSent(number(json, "bytes_sent", 0))
          .durationMillis(number(json, "duration", -1))
          .upstreamServiceTimeMillis(number(json, "upstream_service_time", -1))
          .upstreamRequestAttemptCount((int) number(json, "upstream_request_attempt_count", 0))
          .xForwardedFor(json.getString("x_forwarded_for"))
          .userAgent(json.getString("user_agent"))
          .requestId(json.getString("x_request_id"))
          .authority(json.getString("authority"))
          .upstreamHost(json.getString("upstream_host"))
          .upstreamCluster(json.getString("upstream_cluster"))
          .upstreamLocalAddress(json.getString("upstream_local_address"))
          .downstreamLocalAddress(json.getString("downstream_local_address"))
          .downstreamRemoteAddress(json.getString("downstream_remote_address"))
          .requestedServerName(json.getString("requested_server_name"))
          .routeName(json.getString("route_name"))
          .traceparent(json.getString("traceparent"))
          .sourcePrincipal(json.getString("source_principal"))
          .sourceCluster(json.getString("source_cluster"))
          .destinationPrincipal(json.getString("destination_principal"))
          .destinationCluster(json.getString("destination_cluster"))
          .build();
    } catch (ClassCastException | DateTimeParseException e) {
      throw new IllegalArgumentException("access-log entry " + json.encode() + ": " + e.getMessage()
          + " (expected: the fields and types of docs/diagnostics.md, \"Access log\")", e);
    }
  }

  /** Envoy's START_TIME default: ISO 8601 in UTC, always with milliseconds. */
  static String formatTime(Instant time) {
    return START_TIME.format(time);
  }

  private static long number(JsonObject json, String name, long whenNull) {
    Object value = json.getValue(name);
    if (value == null) {
      return whenNull;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException("access-log entry field " + name + ": " + value
          + " (expected: a number or null)");
    }
    return number.longValue();
  }

  private static void string(JsonGenerator json, String name, String value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeStringField(name, value);
    }
  }

  private static void number(JsonGenerator json, String name, long value) throws IOException {
    if (value < 0) {
      json.writeNullField(name);
    } else {
      json.writeNumberField(name, value);
    }
  }
}
