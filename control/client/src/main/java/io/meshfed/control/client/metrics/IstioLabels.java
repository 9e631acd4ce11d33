package io.meshfed.control.client.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link TrafficLabels} into Istio's label set. The names are Istio's (istio.io, "Istio Standard Metrics",
 * "Labels"); HTTP metrics add {@code request_protocol}, {@code response_code}, {@code grpc_response_status},
 * TCP metrics {@code request_protocol="tcp"}; both carry {@code response_flags} and
 * {@code connection_security_policy}.
 */
final class IstioLabels {

  /** The labels every Istio metric carries, in Istio's order. */
  static final List<String> COMMON = List.of(
      "reporter",
      "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
      "source_canonical_service", "source_canonical_revision", "source_cluster",
      "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app",
      "destination_version", "destination_service", "destination_service_name", "destination_service_namespace",
      "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
      "request_protocol", "response_flags", "connection_security_policy");

  /** The labels only request (HTTP/gRPC) metrics carry. */
  static final List<String> HTTP_ONLY = List.of("response_code", "grpc_response_status");

  private IstioLabels() {
  }

  static Tags http(TrafficLabels labels, RequestProtocol protocol, int responseCode, int grpcStatus,
      String flags) {
    List<Tag> tags = common(labels, protocol.label(), flags);
    tags.add(Tag.of("response_code", Integer.toString(responseCode)));
    tags.add(Tag.of("grpc_response_status", grpcStatus < 0 ? "" : Integer.toString(grpcStatus)));
    return Tags.of(tags);
  }

  static Tags tcp(TrafficLabels labels, String flags) {
    return Tags.of(common(labels, "tcp", flags));
  }

  private static List<Tag> common(TrafficLabels labels, String protocol, String flags) {
    Workload source = labels.source();
    Workload destination = labels.destination();
    DestinationService service = labels.destinationService();
    List<Tag> tags = new ArrayList<>(COMMON.size() + HTTP_ONLY.size());
    tags.add(Tag.of("reporter", labels.reporter().label()));
    tags.add(Tag.of("source_workload", source.name()));
    tags.add(Tag.of("source_workload_namespace", source.namespace()));
    tags.add(Tag.of("source_principal", source.principal()));
    tags.add(Tag.of("source_app", source.app()));
    tags.add(Tag.of("source_version", source.version()));
    tags.add(Tag.of("source_canonical_service", source.canonicalService()));
    tags.add(Tag.of("source_canonical_revision", source.canonicalRevision()));
    tags.add(Tag.of("source_cluster", source.cluster()));
    tags.add(Tag.of("destination_workload", destination.name()));
    tags.add(Tag.of("destination_workload_namespace", destination.namespace()));
    tags.add(Tag.of("destination_principal", destination.principal()));
    tags.add(Tag.of("destination_app", destination.app()));
    tags.add(Tag.of("destination_version", destination.version()));
    tags.add(Tag.of("destination_service", service.host()));
    tags.add(Tag.of("destination_service_name", service.name()));
    tags.add(Tag.of("destination_service_namespace", service.namespace()));
    tags.add(Tag.of("destination_canonical_service", destination.canonicalService()));
    tags.add(Tag.of("destination_canonical_revision", destination.canonicalRevision()));
    tags.add(Tag.of("destination_cluster", destination.cluster()));
    tags.add(Tag.of("request_protocol", protocol));
    tags.add(Tag.of("response_flags", flags));
    tags.add(Tag.of("connection_security_policy", labels.securityPolicy().label()));
    return tags;
  }
}
