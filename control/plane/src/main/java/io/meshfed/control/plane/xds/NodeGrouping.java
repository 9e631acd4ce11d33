package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.InvalidNodeException;
import io.meshfed.control.client.xds.NodeIdentity;

/**
 * Decides which snapshot a gateway gets: gateways in one group share one {@link Snapshot}.
 *
 * <p>Called once per stream with the node of its first request, on the server's context; it must not block.
 */
@FunctionalInterface
public interface NodeGrouping {

    /**
     * The group key for a node.
     *
     * @throws InvalidNodeException if the node lacks what the grouping needs; the stream is then refused with
     *     {@code INVALID_ARGUMENT} and the exception's message
     */
    String groupOf(Node node);

    /**
     * meshfed's default: one group per cluster and role, {@code <CLUSTER_ID>/<ROLE>} (for example
     * {@code east/ingress}), since every gateway of a role in a cluster serves the same configuration. A node
     * without {@code ROLE} (a proxyless gRPC client or a plain Envoy) is grouped as {@code <CLUSTER_ID>/proxy}.
     */
    static NodeGrouping byClusterAndRole() {
        return node -> {
            NodeIdentity id = NodeIdentity.of(node);
            return id.clusterId() + "/" + id.role().map(r -> r.metadataValue()).orElse("proxy");
        };
    }
}
