package io.meshfed.control.plane.xds;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.ControlPlane;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.InvalidNodeException;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.XdsResourceType;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ADS stream of one gateway: identity, nonces, per-type sync status, and the send path shared by the
 * state-of-the-world and incremental variants. Lives on the server's context.
 *
 * @param <Q> the request message
 * @param <R> the response message
 */
abstract class AdsStream<Q, R> {
    private static final Logger LOG = LoggerFactory.getLogger(AdsStream.class);

    final String id;
    final Node node;
    final String group;
    final StreamHost host;
    private final GrpcServerRequest<Q, R> call;
    private final String proxyName;
    private final String clusterId;
    private final String peer;
    private final boolean tls;
    private final Instant connectedSince = Instant.now();
    private final Map<XdsResourceType, TypeStatusTracker> trackers = new EnumMap<>(XdsResourceType.class);
    private long nonceCounter;
    private boolean closed;
    private boolean ended;

    AdsStream(String id, Node node, String group, StreamHost host, GrpcServerRequest<Q, R> call, boolean tls) {
        this.id = id;
        this.node = node;
        this.group = group;
        this.host = host;
        this.call = call;
        this.tls = tls;
        this.peer = String.valueOf(call.connection().remoteAddress());
        String name;
        String cluster;
        try {
            NodeIdentity identity = NodeIdentity.of(node);
            name = identity.proxyName();
            cluster = identity.clusterId();
        } catch (InvalidNodeException e) {
            // A custom grouping may accept nodes that are not Istio-style; show them by their raw id.
            name = node.getId();
            cluster = "";
        }
        this.proxyName = name;
        this.clusterId = cluster;
        for (XdsResourceType type : XdsResourceType.values()) {
            trackers.put(type, new TypeStatusTracker(type));
        }
    }

    /** What a stream needs from the server that hosts it. */
    interface StreamHost {
        /** The group's snapshot, or null while it has none. */
        Snapshot current(String group);

        XdsMetrics metrics();

        ControlPlane controlPlane();
    }

    abstract ProxyStatus.Protocol protocol();

    /** Handles a request of this stream (the first included). */
    abstract void onRequest(Q request);

    /**
     * Pushes a changed snapshot of this stream's group.
     *
     * @param diff what changed since the previous push of the group, or null to re-evaluate everything
     * @param changeNanos nanotime of the first change of the batch, for convergence time
     */
    abstract void push(Snapshot snapshot, SnapshotDiff diff, long changeNanos);

    /**
     * Maps a requested name to the group snapshot's own instance of it, when the snapshot holds it: a stream keeps the
     * names it is subscribed to for its life, and a gateway's tens of thousands of EDS names parsed from its requests
     * would otherwise be held once per gateway.
     */
    final UnaryOperator<String> sharedNames(XdsResourceType type) {
        Snapshot snapshot = host.current(group);
        if (snapshot == null) {
            return UnaryOperator.identity();
        }
        return name -> snapshot.sharedName(type, name);
    }

    final TypeStatusTracker tracker(XdsResourceType type) {
        return trackers.get(type);
    }

    final String nextNonce() {
        return Long.toString(++nonceCounter, 36);
    }

    final boolean isClosed() {
        return closed;
    }

    /**
     * Writes a response and books it; convergence is recorded when the write completes if {@code lastOfPush}.
     */
    final Future<Void> send(XdsResourceType type, R response, String version, String nonce, long changeNanos,
            boolean lastOfPush) {
        if (closed) {
            return Future.failedFuture("stream " + id + " is closed");
        }
        long start = System.nanoTime();
        tracker(type).sent(version, nonce, changeNanos);
        GrpcServerResponse<Q, R> out = call.response();
        return out.write(response).andThen(ar -> {
            if (ar.succeeded()) {
                host.metrics().pushed(type);
                long now = System.nanoTime();
                host.metrics().sendTime(Duration.ofNanos(now - start));
                if (lastOfPush && changeNanos > 0) {
                    host.metrics().converged(Duration.ofNanos(now - changeNanos));
                }
            } else {
                host.metrics().sendFailed(type);
                LOG.debug("ADS stream {} ({}): sending {} failed: {}", id, proxyName, type.shortName(),
                        ar.cause().toString());
            }
        });
    }

    /** Books an ACK or NACK of the latest response of a type. */
    final void acknowledge(XdsResourceType type, String version, String nonce, Optional<Status> error) {
        TypeStatusTracker tracker = tracker(type);
        if (error.isPresent()) {
            Status s = error.get();
            tracker.nacked(new NackDetail(tracker.sentVersion(), nonce, s.getCode(), s.getMessage(),
                    Instant.now()));
            host.metrics().rejected(type);
            // Not retried: the same content is only sent again if the subscription changes; a newer version
            // is pushed when the snapshot changes (issue 5: "a NACKed config is not retried blindly").
            LOG.warn("Gateway {} (stream {}, group {}) rejected {} version {} (nonce {}): {}", proxyName, id, group,
                    type.shortName(), tracker.sentVersion(), nonce, s.getMessage());
        } else {
            tracker.acked(version, nonce);
        }
    }

    /** Marks the stream closed; the host unregisters it. */
    final void markClosed() {
        closed = true;
    }

    /** Ends the stream from the server side with a status. */
    final Future<Void> end(GrpcStatus status, String message) {
        if (ended) {
            return Future.succeededFuture();
        }
        ended = true;
        closed = true;
        GrpcServerResponse<Q, R> out = call.response();
        out.status(status);
        if (message != null) {
            out.statusMessage(message);
        }
        return out.end();
    }

    final ProxyStatus status() {
        Map<XdsResourceType, TypeSyncStatus> types = new LinkedHashMap<>();
        for (XdsResourceType type : XdsResourceType.pushOrder()) {
            types.put(type, trackers.get(type).status());
        }
        return new ProxyStatus(id, node.getId(), proxyName, clusterId, group, protocol(), peer, tls, connectedSince,
                java.util.Collections.unmodifiableMap(types));
    }

    final String proxyName() {
        return proxyName;
    }
}
