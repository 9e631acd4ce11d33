package io.meshfed.control.client.accesslog;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The attributes a filter can read from an entry, named like Istio's (CEL) attributes. Unknown strings read as
 * {@code ""}, unknown numbers as -1.
 */
enum FilterAttribute {
  REQUEST_METHOD("request.method", text(AccessLogEntry::method)),
  REQUEST_PATH("request.path", text(AccessLogEntry::path)),
  REQUEST_HOST("request.host", text(AccessLogEntry::authority)),
  REQUEST_PROTOCOL("request.protocol", text(AccessLogEntry::protocol)),
  REQUEST_ID("request.id", text(AccessLogEntry::requestId)),
  REQUEST_USER_AGENT("request.useragent", text(AccessLogEntry::userAgent)),
  REQUEST_X_FORWARDED_FOR("request.x_forwarded_for", text(AccessLogEntry::xForwardedFor)),
  REQUEST_SIZE("request.size", number(entry -> (double) entry.bytesReceived())),
  RESPONSE_CODE("response.code", number(entry -> (double) entry.responseCode())),
  RESPONSE_FLAGS("response.flags", flags()),
  RESPONSE_CODE_DETAILS("response.code_details", text(AccessLogEntry::responseCodeDetails)),
  RESPONSE_SIZE("response.size", number(entry -> (double) entry.bytesSent())),
  RESPONSE_DURATION("response.duration", number(entry -> (double) entry.durationMillis())),
  RESPONSE_FAILED("response.failed", condition(AccessLogEntry::failed)),
  UPSTREAM_HOST("upstream.host", text(AccessLogEntry::upstreamHost)),
  UPSTREAM_CLUSTER("upstream.cluster", text(AccessLogEntry::upstreamCluster)),
  UPSTREAM_TRANSPORT_FAILURE_REASON("upstream.transport_failure_reason",
      text(AccessLogEntry::upstreamTransportFailureReason)),
  UPSTREAM_SERVICE_TIME("upstream.service_time", number(entry -> (double) entry.upstreamServiceTimeMillis())),
  UPSTREAM_ATTEMPTS("upstream.attempts", number(entry -> (double) entry.upstreamRequestAttemptCount())),
  CONNECTION_KIND("connection.kind", text(entry -> entry.kind().name().toLowerCase(Locale.ROOT))),
  CONNECTION_SNI("connection.sni", text(AccessLogEntry::requestedServerName)),
  CONNECTION_TERMINATION_DETAILS("connection.termination_details",
      text(AccessLogEntry::connectionTerminationDetails)),
  SOURCE_ADDRESS("source.address", text(AccessLogEntry::downstreamRemoteAddress)),
  SOURCE_PRINCIPAL("source.principal", text(AccessLogEntry::sourcePrincipal)),
  SOURCE_CLUSTER("source.cluster", text(AccessLogEntry::sourceCluster)),
  DESTINATION_PRINCIPAL("destination.principal", text(AccessLogEntry::destinationPrincipal)),
  DESTINATION_CLUSTER("destination.cluster", text(AccessLogEntry::destinationCluster)),
  ROUTE_NAME("route.name", text(AccessLogEntry::routeName));

  /** The value types of the language. */
  enum ValueType {
    STRING("a string"), NUMBER("a number"), BOOL("a condition"), FLAGS("response flags");

    final String description;

    ValueType(String description) {
      this.description = description;
    }
  }

  /** How to read one attribute; exactly one reader is set, the one of its type. */
  private record Reader(ValueType type, Function<AccessLogEntry, String> string,
      ToDoubleFunction<AccessLogEntry> number, Predicate<AccessLogEntry> bool) {
  }

  final String attributeName;
  final ValueType type;
  private final Reader reader;

  FilterAttribute(String name, Reader reader) {
    this.attributeName = name;
    this.type = reader.type();
    this.reader = reader;
  }

  private static Reader text(Function<AccessLogEntry, String> string) {
    return new Reader(ValueType.STRING, string, null, null);
  }

  private static Reader number(ToDoubleFunction<AccessLogEntry> number) {
    return new Reader(ValueType.NUMBER, null, number, null);
  }

  private static Reader flags() {
    return new Reader(ValueType.FLAGS, entry -> entry.responseFlags().toString(), null, null);
  }

  private static Reader condition(Predicate<AccessLogEntry> bool) {
    return new Reader(ValueType.BOOL, null, null, bool);
  }

  String string(AccessLogEntry entry) {
    String value = reader.string().apply(entry);
    return value == null ? "" : value;
  }

  double number(AccessLogEntry entry) {
    return reader.number().applyAsDouble(entry);
  }

  boolean bool(AccessLogEntry entry) {
    return reader.bool().test(entry);
  }

  static Optional<FilterAttribute> find(String name) {
    return Arrays.stream(values()).filter(attribute -> attribute.attributeName.equals(name)).findFirst();
  }

  static String names() {
    return Arrays.stream(values()).map(attribute -> attribute.attributeName).collect(Collectors.joining(", "));
  }
}
