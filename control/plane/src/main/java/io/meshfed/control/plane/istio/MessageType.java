package io.meshfed.control.plane.istio;

/**
 * The catalogue of message codes. Codes are stable: a code is never reused for another meaning. {@code MF00xx}
 * come from reading and validating single objects (the control plane rejects what they reject), {@code MF01xx}
 * from checks across objects and clusters. docs/analyze.md explains each one and its fix.
 */
public enum MessageType {
  // Reading single objects (the control plane's config store and `meshfed analyze` alike).
  INVALID_YAML("MF0001", Severity.ERROR, "InvalidYaml", "the file is not valid YAML; nothing in it is read"),
  MALFORMED_OBJECT("MF0002", Severity.ERROR, "MalformedObject",
      "the document lacks apiVersion, kind or metadata.name, or is not a mapping"),
  UNKNOWN_KIND("MF0003", Severity.ERROR, "UnknownKind",
      "a kind or version of an API group meshfed reads (networking.istio.io, security.istio.io,"
          + " multicluster.x-k8s.io) that meshfed does not support"),
  IGNORED_KIND("MF0004", Severity.WARNING, "IgnoredKind", "a kind meshfed does not read; it has no effect"),
  INVALID_VALUE("MF0005", Severity.ERROR, "InvalidValue", "a field has a value Istio would reject"),
  UNKNOWN_FIELD("MF0006", Severity.ERROR, "UnknownField", "a field that is not part of the Istio API (often a typo)"),
  UNSUPPORTED_FIELD("MF0007", Severity.ERROR, "UnsupportedField",
      "an Istio field meshfed does not implement and that would change where traffic goes or who may send it"),
  IGNORED_FIELD("MF0008", Severity.WARNING, "IgnoredField",
      "an Istio field meshfed does not implement; it only tunes behaviour, so the object is used without it"),
  DEPRECATED_FIELD("MF0009", Severity.WARNING, "DeprecatedField", "a deprecated Istio field; it still works"),
  DUPLICATE_OBJECT("MF0010", Severity.ERROR, "DuplicateObject",
      "the same kind, namespace and name defined twice; the first definition is used"),
  SUSPICIOUS_VALUE("MF0011", Severity.WARNING, "SuspiciousValue",
      "a valid setting that does not do what it seems to (Istio's validation warnings)"),
  SOURCE_PROBLEM("MF0012", Severity.WARNING, "ConfigSourceProblem",
      "part of a config source cannot be read (a missing CRD, an unreadable file); what was read before keeps serving"),

  // Checks across objects and clusters.
  HOST_NOT_FOUND("MF0101", Severity.ERROR, "ReferencedHostNotFound",
      "a route destination names a host no Service or ServiceEntry defines"),
  GATEWAY_NOT_FOUND("MF0102", Severity.ERROR, "ReferencedGatewayNotFound",
      "a VirtualService is bound to a Gateway that does not exist"),
  SUBSET_NOT_DEFINED("MF0103", Severity.ERROR, "ReferencedSubsetNotFound",
      "a route sends traffic to a subset no DestinationRule defines for the host"),
  SUBSET_SELECTS_NO_PODS("MF0104", Severity.WARNING, "SubsetSelectsNoPods",
      "a DestinationRule subset whose labels match none of the service's pods"),
  MTLS_MODE_CONFLICT("MF0105", Severity.ERROR, "MtlsModeConflict",
      "a DestinationRule's TLS mode contradicts the PeerAuthentication of the workloads it targets"),
  CONFLICTING_VIRTUAL_SERVICE("MF0106", Severity.ERROR, "ConflictingMeshVirtualServices",
      "two mesh-bound VirtualServices claim one host; only the oldest is used"),
  CONFLICTING_DESTINATION_RULE("MF0107", Severity.WARNING, "ConflictingDestinationRules",
      "two DestinationRules for one host both define a subset or a top-level traffic policy; the later one is ignored"),
  GATEWAY_HOST_MISMATCH("MF0108", Severity.WARNING, "VirtualServiceHostNotInGateway",
      "a VirtualService bound to a Gateway has no host that Gateway's servers expose"),
  PORT_PROTOCOL_UNDETECTABLE("MF0109", Severity.WARNING, "PortProtocolUndetectable",
      "a Service port whose name has no protocol prefix and no appProtocol, so it is handled as opaque TCP"),
  RETRIES_EXCEED_TIMEOUT("MF0110", Severity.WARNING, "RetriesExceedTimeout",
      "the route timeout ends the request before the configured retries can run"),
  OUTLIER_DETECTION_EJECTS_ALL("MF0111", Severity.WARNING, "OutlierDetectionCanEjectAllHosts",
      "outlier detection may eject every endpoint, leaving none to serve"),
  SERVICE_EXPORT_WITHOUT_SERVICE("MF0112", Severity.ERROR, "ServiceExportWithoutService",
      "a ServiceExport names a Service that does not exist in its namespace"),
  DUPLICATE_CLUSTER_ID("MF0113", Severity.ERROR, "DuplicateRemoteClusterId",
      "two remote-cluster Secrets register the same cluster id"),
  EXPORTED_PORT_CONFLICT("MF0114", Severity.ERROR, "ExportedServicePortConflict",
      "an exported service declares one port differently in two clusters"),
  EXPORTED_PORTS_DIFFER("MF0115", Severity.WARNING, "ExportedServicePortsDiffer",
      "an exported service has a port in some clusters only");

  private final String code;
  private final Severity severity;
  private final String title;
  private final String summary;

  MessageType(String code, Severity severity, String title, String summary) {
    this.code = code;
    this.severity = severity;
    this.title = title;
    this.summary = summary;
  }

  public String code() {
    return code;
  }

  public Severity severity() {
    return severity;
  }

  /** A CamelCase name in Istio's style, e.g. {@code ReferencedHostNotFound}. */
  public String title() {
    return title;
  }

  /** One line on what the code means. */
  public String summary() {
    return summary;
  }

  public static MessageType forCode(String code) {
    for (MessageType type : values()) {
      if (type.code.equalsIgnoreCase(code)) {
        return type;
      }
    }
    throw new IllegalArgumentException("message code: " + code + " (expected: MF0001..MF0115)");
  }
}
