package io.meshfed.control.plane.xds;

import io.meshfed.control.client.xds.XdsResourceType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One connected ADS stream, what {@code /debug/syncz} and {@code meshfed proxy-status} show per gateway.
 *
 * @param streamId the server's id for the stream, unique for the server's lifetime
 * @param nodeId the Envoy node id
 * @param proxyName {@code <pod>.<namespace>} when the node id is Istio-style, else the node id
 * @param clusterId the node's {@code CLUSTER_ID}, empty if absent
 * @param group the snapshot group the stream is served from
 * @param protocol state of the world or delta
 * @param peer the remote address
 * @param tls whether the stream came over the mTLS listener
 * @param connectedSince when the stream's first request arrived
 * @param types the status per resource type, in push order (every type is present)
 */
public record ProxyStatus(String streamId, String nodeId, String proxyName, String clusterId, String group,
        Protocol protocol, String peer, boolean tls, Instant connectedSince, Map<XdsResourceType, TypeSyncStatus> types) {

    /** Which ADS method a stream uses. */
    public enum Protocol {
        /** {@code StreamAggregatedResources}. */
        STATE_OF_THE_WORLD,
        /** {@code DeltaAggregatedResources}. */
        DELTA
    }

    /** The status of one type. */
    public TypeSyncStatus type(XdsResourceType type) {
        return types.get(type);
    }

    /** The most recent NACK of any type, if any. */
    public Optional<NackDetail> lastNack() {
        return types.values().stream().flatMap(t -> t.lastNack().stream())
                .max((a, b) -> a.at().compareTo(b.at()));
    }
}
