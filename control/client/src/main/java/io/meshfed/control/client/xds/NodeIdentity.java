package io.meshfed.control.client.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a gateway is, as it tells its control plane in the Envoy {@code Node} of its first ADS request.
 *
 * <p>The node id follows Istio's proxy id, {@code <type>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local}
 * (meshfed gateways use type {@code router}, as Istio gateways do); the metadata carries Istio's
 * {@code CLUSTER_ID}, {@code NETWORK} and {@code MESH_ID} plus meshfed's {@code ROLE}. See docs/xds.md.
 *
 * @param proxyType {@code router} for gateways, {@code sidecar} for sidecars
 * @param ip the gateway pod's IP address
 * @param podName the pod name
 * @param namespace the pod namespace
 * @param dnsDomain the DNS domain, {@code <namespace>.svc.cluster.local}
 * @param clusterId the Kubernetes cluster the gateway runs in ({@code CLUSTER_ID}), never empty
 * @param network the network it belongs to ({@code NETWORK}), may be empty
 * @param role the gateway role ({@code ROLE}), absent for other xDS clients (Envoy sidecars, proxyless gRPC)
 * @param meshId the mesh ({@code MESH_ID}), may be empty
 */
public record NodeIdentity(String proxyType, String ip, String podName, String namespace, String dnsDomain,
        String clusterId, String network, Optional<GatewayRole> role, String meshId) {

    /** Metadata key: the Kubernetes cluster id (Istio's {@code ISTIO_META_CLUSTER_ID}). */
    public static final String CLUSTER_ID = "CLUSTER_ID";
    /** Metadata key: the network id (Istio's {@code ISTIO_META_NETWORK}). */
    public static final String NETWORK = "NETWORK";
    /** Metadata key: the gateway role, {@code eastwest|ingress|egress}. */
    public static final String ROLE = "ROLE";
    /** Metadata key: the mesh id (Istio's {@code ISTIO_META_MESH_ID}). */
    public static final String MESH_ID = "MESH_ID";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    public NodeIdentity {
        Objects.requireNonNull(proxyType, "proxyType");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(dnsDomain, "dnsDomain");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(meshId, "meshId");
    }

    /** The Istio-style node id, {@code router~10.0.0.7~gw-1.istio-system~istio-system.svc.cluster.local}. */
    public String nodeId() {
        return proxyType + "~" + ip + "~" + podName + "." + namespace + "~" + dnsDomain;
    }

    /** {@code <pod>.<namespace>}, the name {@code istioctl proxy-status} shows. */
    public String proxyName() {
        return podName + "." + namespace;
    }

    /**
     * Reads the identity of an Envoy node.
     *
     * @throws InvalidNodeException naming the field at fault when the id is not Istio-style or CLUSTER_ID is absent
     */
    public static NodeIdentity of(Node node) {
        String id = node.getId();
        String[] parts = id.split("~", -1);
        String expectedId = "<router|sidecar>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local";
        if (parts.length != 4 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidNodeException("id", id, expectedId);
        }
        int dot = parts[2].lastIndexOf('.');
        if (dot <= 0 || dot == parts[2].length() - 1) {
            throw new InvalidNodeException("id", id, expectedId);
        }
        Struct metadata = node.getMetadata();
        String clusterId = text(metadata, CLUSTER_ID);
        if (clusterId.isEmpty()) {
            throw new InvalidNodeException("metadata." + CLUSTER_ID, "",
                    "the Kubernetes cluster id this gateway runs in");
        }
        String roleText = text(metadata, ROLE);
        Optional<GatewayRole> role = GatewayRole.fromMetadata(roleText);
        if (!roleText.isEmpty() && role.isEmpty()) {
            throw new InvalidNodeException("metadata." + ROLE, roleText, "eastwest|ingress|egress");
        }
        return new NodeIdentity(parts[0], parts[1], parts[2].substring(0, dot), parts[2].substring(dot + 1),
                parts[3], clusterId, text(metadata, NETWORK), role, text(metadata, MESH_ID));
    }

    /** The Envoy node a gateway sends: Istio-style id, {@code cluster} = {@code <pod>.<namespace>}, metadata. */
    public Node toNode() {
        Struct.Builder metadata = Struct.newBuilder()
                .putFields(CLUSTER_ID, string(clusterId));
        if (!network.isEmpty()) {
            metadata.putFields(NETWORK, string(network));
        }
        role.ifPresent(r -> metadata.putFields(ROLE, string(r.metadataValue())));
        if (!meshId.isEmpty()) {
            metadata.putFields(MESH_ID, string(meshId));
        }
        return Node.newBuilder()
                .setId(nodeId())
                .setCluster(proxyName())
                .setMetadata(metadata)
                .setUserAgentName("meshfed")
                .build();
    }

    /** A builder for the node a meshfed gateway announces. */
    public static Builder builder() {
        return new Builder();
    }

    private static String text(Struct metadata, String key) {
        Value value = metadata.getFieldsOrDefault(key, Value.getDefaultInstance());
        return value.getKindCase() == Value.KindCase.STRING_VALUE ? value.getStringValue() : "";
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    /** Builds a gateway's {@link NodeIdentity}; each setter validates its argument. */
    public static final class Builder {
        private String proxyType = "router";
        private String ip;
        private String podName;
        private String namespace;
        private String clusterId;
        private String network = "";
        private GatewayRole role;
        private String meshId = "";

        private Builder() {
        }

        /** {@code router} (the default, for gateways) or {@code sidecar}. */
        public Builder proxyType(String type) {
            if (!"router".equals(type) && !"sidecar".equals(type)) {
                throw new IllegalArgumentException("proxyType: " + type + " (expected: router|sidecar)");
            }
            this.proxyType = type;
            return this;
        }

        /** The gateway's IP address (no {@code ~}). */
        public Builder ip(String ip) {
            this.ip = requireToken("ip", ip);
            return this;
        }

        /** The pod name, a DNS label. */
        public Builder podName(String podName) {
            this.podName = requireLabel("podName", podName);
            return this;
        }

        /** The namespace, a DNS label. */
        public Builder namespace(String namespace) {
            this.namespace = requireLabel("namespace", namespace);
            return this;
        }

        /** The Kubernetes cluster id ({@code CLUSTER_ID}). */
        public Builder clusterId(String clusterId) {
            this.clusterId = requireToken("clusterId", clusterId);
            return this;
        }

        /** The network id ({@code NETWORK}); empty means the default network. */
        public Builder network(String network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /** The gateway role ({@code ROLE}). */
        public Builder role(GatewayRole role) {
            this.role = Objects.requireNonNull(role, "role");
            return this;
        }

        /** The mesh id ({@code MESH_ID}). */
        public Builder meshId(String meshId) {
            this.meshId = Objects.requireNonNull(meshId, "meshId");
            return this;
        }

        /** The identity; ip, podName, namespace, clusterId and role are required. */
        public NodeIdentity build() {
            require("ip", ip);
            require("podName", podName);
            require("namespace", namespace);
            require("clusterId", clusterId);
            require("role", role);
            return new NodeIdentity(proxyType, ip, podName, namespace, namespace + ".svc.cluster.local", clusterId,
                    network, Optional.of(role), meshId);
        }

        private static void require(String name, Object value) {
            if (value == null) {
                throw new IllegalStateException(name + ": not set (expected: a value before build())");
            }
        }

        private static String requireToken(String name, String value) {
            if (value == null || value.isEmpty() || value.contains("~")) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: non-empty, without '~')");
            }
            return value;
        }

        private static String requireLabel(String name, String value) {
            if (value == null || !DNS_LABEL.matcher(value).matches() || value.length() > 63) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a DNS label, [a-z0-9-], "
                        + "at most 63 characters)");
            }
            return value;
        }
    }
}
