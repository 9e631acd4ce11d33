package io.meshfed.control.plane.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.InvalidNodeException;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.federation.catalog.Locality;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The gateways that share one snapshot: one gateway deployment of one role in one cluster (or one proxyless gRPC
 * client workload). Built from the Envoy node of their ADS streams by {@link GatewayGrouping}; the translator reads
 * the role, namespace and pod labels (Istio {@code Gateway.selector} matches them) and the locality (EDS priorities).
 *
 * @param key the group key, {@code <CLUSTER_ID>/<ROLE>/<workload>} ({@code east/ingress/istio-ingressgateway}),
 *     {@code /proxyless} appended for proxyless gRPC clients; {@code mesh} stands for the role of clients without
 *     one
 * @param clusterId {@code CLUSTER_ID}
 * @param role {@code ROLE}; empty for clients without one (proxyless gRPC in the mesh)
 * @param form how the group consumes listeners
 * @param namespace the pods' namespace (DestinationRule lookup, credentialName Secrets, policy scope)
 * @param workload the deployment name: metadata {@code WORKLOAD_NAME}, else the node's {@code cluster}
 * @param labels the pods' labels: metadata {@code LABELS}
 * @param network {@code NETWORK}; empty means this cluster's network
 * @param locality the node's locality; unknown means this cluster's
 */
public record GatewayGroup(String key, String clusterId, Optional<GatewayRole> role, Form form, String namespace,
    String workload, Map<String, String> labels, String network, Locality locality) {

  /** Node metadata: the gateway's pod labels (a struct of strings), as Istio's {@code ISTIO_META_LABELS}. */
  public static final String LABELS = "LABELS";
  /** Node metadata: the deployment name, as Istio's {@code ISTIO_META_WORKLOAD_NAME}. */
  public static final String WORKLOAD_NAME = "WORKLOAD_NAME";
  /** Node metadata: the namespace, as Istio's {@code ISTIO_META_NAMESPACE} (else the node id's). */
  public static final String NAMESPACE = "NAMESPACE";

  /** How a group reads listeners. */
  public enum Form {
    /** meshfed gateways and Envoy: listeners bound to ports (docs/xds-profile.md). */
    GATEWAY,
    /**
     * grpc-java's proxyless xDS client: API listeners named by the target authority, plaintext clusters, only the
     * HTTP filters gRPC implements (docs/translation.md, "Proxyless gRPC").
     */
    PROXYLESS
  }

  public GatewayGroup {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(workload, "workload");
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    Objects.requireNonNull(network, "network");
    locality = Objects.requireNonNullElse(locality, Locality.UNKNOWN);
  }

  /** The role's metadata value, or {@code mesh} for clients without a role. */
  public String roleName() {
    return role.map(GatewayRole::metadataValue).orElse("mesh");
  }

  /**
   * Reads a node. Nodes with a role are meshfed gateways (or Envoys playing one) unless their user agent is gRPC;
   * nodes without a role are proxyless clients of the mesh.
   *
   * @throws IllegalArgumentException naming the field when the node is not Istio-style, lacks {@code CLUSTER_ID}
   *     or carries malformed {@code LABELS} ({@link InvalidNodeException} for the first two)
   */
  public static GatewayGroup of(Node node) {
    NodeIdentity identity = NodeIdentity.of(node);
    Struct metadata = node.getMetadata();
    String workload = text(metadata, WORKLOAD_NAME);
    if (workload.isEmpty()) {
      workload = node.getCluster().isEmpty() ? identity.podName() : node.getCluster();
    }
    if (workload.contains("/")) {
      throw invalid("cluster", workload, "a workload name without '/'");
    }
    String namespace = text(metadata, NAMESPACE);
    if (namespace.isEmpty()) {
      namespace = identity.namespace();
    }
    Map<String, String> labels = new TreeMap<>();
    Value labelValue = metadata.getFieldsOrDefault(LABELS, Value.getDefaultInstance());
    if (labelValue.hasStructValue()) {
      labelValue.getStructValue().getFieldsMap().forEach((k, v) -> {
        if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
          labels.put(k, v.getStringValue());
        }
      });
    } else if (labelValue.getKindCase() != Value.KindCase.KIND_NOT_SET) {
      throw invalid("metadata." + LABELS, labelValue.getKindCase().name().toLowerCase(java.util.Locale.ROOT),
          "a struct of label names to string values");
    }
    boolean grpc = node.getUserAgentName().toLowerCase(java.util.Locale.ROOT).startsWith("grpc");
    Form form = identity.role().isEmpty() || grpc ? Form.PROXYLESS : Form.GATEWAY;
    io.envoyproxy.envoy.config.core.v3.Locality l = node.getLocality();
    Locality locality = Locality.of(l.getRegion(), l.getZone(), l.getSubZone());
    String roleName = identity.role().map(GatewayRole::metadataValue).orElse("mesh");
    String key = identity.clusterId() + "/" + roleName + "/" + workload + (form == Form.PROXYLESS ? "/proxyless" : "");
    return new GatewayGroup(key, identity.clusterId(), identity.role(), form, namespace, workload, labels,
        identity.network(), locality);
  }

  // Same message shape as InvalidNodeException (whose constructor is the client's own): the ADS server refuses the
  // stream with INVALID_ARGUMENT and this message.
  private static IllegalArgumentException invalid(String field, String value, String expected) {
    return new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
  }

  private static String text(Struct metadata, String key) {
    Value value = metadata.getFieldsOrDefault(key, Value.getDefaultInstance());
    return value.getKindCase() == Value.KindCase.STRING_VALUE ? value.getStringValue() : "";
  }

  @Override
  public String toString() {
    return "GatewayGroup[" + key + ", namespace=" + namespace + ", labels=" + labels + "]";
  }
}
