package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.config.core.v3.ControlPlane;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.XdsResourceType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of the ADS server: accepts streams, keeps the per-group snapshots, and pushes debounced changes to the
 * streams of the groups that changed. Everything runs on one context; public entry points hop onto it.
 */
final class AdsDistributor implements SnapshotCache, ProxyStatusQuery, AdsStream.StreamHost {
    private static final Logger LOG = LoggerFactory.getLogger(AdsDistributor.class);

    /** Creates the stream variant for a call once its first request was accepted. */
    interface StreamFactory<Q, R> {
        AdsStream<Q, R> create(String id, Node node, String group, AdsStream.StreamHost host,
                GrpcServerRequest<Q, R> call, boolean tls);
    }

    private final Context context;
    private final NodeGrouping grouping;
    private final ClientIdentityVerifier verifier;
    private final XdsMetrics metrics;
    private final ControlPlane controlPlane;
    private final PushDebouncer debouncer;
    // Written on the context only, read from any thread: an immutable map swapped whole.
    private volatile Map<String, Snapshot> snapshots = Map.of();
    private final Map<String, Snapshot> lastPushed = new HashMap<>();
    private final Map<String, Set<AdsStream<?, ?>>> byGroup = new HashMap<>();
    private final Map<String, AdsStream<?, ?>> streams = new LinkedHashMap<>();
    private long streamCounter;
    /** The context's event-loop thread; Vert.x hands requests to duplicates of the context on that thread. */
    private volatile Thread ownerThread;

    AdsDistributor(Vertx vertx, Context context, NodeGrouping grouping, ClientIdentityVerifier verifier,
            DebounceOptions debounce, XdsMetrics metrics, String controlPlaneId) {
        this.context = context;
        this.grouping = grouping;
        this.verifier = verifier;
        this.metrics = metrics;
        this.controlPlane = ControlPlane.newBuilder().setIdentifier(controlPlaneId).build();
        this.debouncer = new PushDebouncer(vertx, debounce, this::release);
        context.runOnContext(v -> ownerThread = Thread.currentThread());
    }

    private boolean onOwner() {
        return Thread.currentThread() == ownerThread;
    }

    // ---- SnapshotCache -------------------------------------------------------------------------------------

    @Override
    public Future<Void> setSnapshot(String group, Snapshot snapshot) {
        if (group == null || group.isEmpty()) {
            return Future.failedFuture(new IllegalArgumentException("group: " + group + " (expected: non-empty)"));
        }
        if (snapshot == null) {
            return Future.failedFuture(new IllegalArgumentException("snapshot: null (expected: a Snapshot; "
                    + "use clearSnapshot to forget a group)"));
        }
        return onContext(() -> {
            Snapshot previous = snapshots.get(group);
            if (previous != null && sameVersions(previous, snapshot)) {
                return null;
            }
            Map<String, Snapshot> next = new HashMap<>(snapshots);
            next.put(group, snapshot);
            snapshots = Map.copyOf(next);
            metrics.triggered();
            debouncer.changed(group);
            return null;
        });
    }

    @Override
    public Future<Void> clearSnapshot(String group) {
        return onContext(() -> {
            Map<String, Snapshot> next = new HashMap<>(snapshots);
            next.remove(group);
            snapshots = Map.copyOf(next);
            lastPushed.remove(group);
            return null;
        });
    }

    @Override
    public Optional<Snapshot> snapshot(String group) {
        return Optional.ofNullable(snapshots.get(group));
    }

    @Override
    public Set<String> groups() {
        return snapshots.keySet();
    }

    private static boolean sameVersions(Snapshot a, Snapshot b) {
        for (XdsResourceType type : XdsResourceType.values()) {
            if (!a.version(type).equals(b.version(type))) {
                return false;
            }
        }
        return true;
    }

    private void release(PushDebouncer.Batch batch) {
        metrics.debounced(Duration.ofNanos(batch.releasedNanos() - batch.firstChangeNanos()));
        for (String group : batch.groups()) {
            Snapshot snapshot = snapshots.get(group);
            if (snapshot == null) {
                continue;
            }
            Snapshot before = lastPushed.put(group, snapshot);
            // Without a previous push to compare with, streams re-evaluate everything they hold or want.
            SnapshotDiff diff = before == null ? null : SnapshotDiff.between(before, snapshot);
            if (diff != null && diff.isEmpty()) {
                continue;
            }
            Set<AdsStream<?, ?>> members = byGroup.getOrDefault(group, Set.of());
            LOG.debug("Pushing {} of group {} to {} stream(s)", snapshot, group, members.size());
            for (AdsStream<?, ?> stream : List.copyOf(members)) {
                try {
                    stream.push(snapshot, diff, batch.firstChangeNanos());
                } catch (RuntimeException e) {
                    // One broken stream must not starve the others of the push.
                    LOG.error("ADS stream {} ({}): push failed", stream.id, stream.proxyName(), e);
                }
            }
        }
    }

    // ---- StreamHost ----------------------------------------------------------------------------------------

    @Override
    public Snapshot current(String group) {
        return snapshots.get(group);
    }

    @Override
    public XdsMetrics metrics() {
        return metrics;
    }

    @Override
    public ControlPlane controlPlane() {
        return controlPlane;
    }

    // ---- streams -------------------------------------------------------------------------------------------

    /** Serves one ADS call: waits for its first request, identifies and authorises the node, then streams. */
    <Q, R> void accept(GrpcServerRequest<Q, R> call, boolean tls, Function<Q, Node> nodeOf,
            StreamFactory<Q, R> factory) {
        if (!onOwner()) {
            // Not expected (the listeners are bound from the owner context), but never touch state elsewhere.
            call.pause();
            context.runOnContext(v -> {
                accept(call, tls, nodeOf, factory);
                call.resume();
            });
            return;
        }
        call.handler(first -> {
            call.pause();
            Node node = nodeOf.apply(first);
            String group;
            try {
                group = grouping.groupOf(node);
            } catch (RuntimeException e) {
                refuse(call, GrpcStatus.INVALID_ARGUMENT, "node " + quote(node.getId()) + ": " + e.getMessage());
                return;
            }
            Future<Void> verified = tls ? verifyPeer(call, node) : Future.succeededFuture();
            verified.onComplete(ar -> {
                if (!onOwner()) {
                    context.runOnContext(v -> establish(call, tls, node, group, first, factory, ar.cause()));
                } else {
                    establish(call, tls, node, group, first, factory, ar.cause());
                }
            });
        });
        call.exceptionHandler(e -> LOG.debug("ADS call failed before its first request: {}", e.toString()));
    }

    private <Q, R> void establish(GrpcServerRequest<Q, R> call, boolean tls, Node node, String group, Q first,
            StreamFactory<Q, R> factory, Throwable refusal) {
        if (refusal != null) {
            refuse(call, GrpcStatus.PERMISSION_DENIED, "node " + quote(node.getId()) + ": client certificate "
                    + "does not match the node: " + refusal.getMessage());
            return;
        }
        String id = Long.toString(++streamCounter);
        AdsStream<Q, R> stream = factory.create(id, node, group, this, call, tls);
        streams.put(id, stream);
        byGroup.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(stream);
        metrics.connected();
        LOG.info("ADS stream {} connected: {} ({}, group {}, {}{})", id, stream.proxyName(), node.getId(), group,
                stream.protocol(), tls ? ", mTLS" : "");
        call.handler(request -> {
            if (!stream.isClosed()) {
                stream.onRequest(request);
            }
        });
        call.endHandler(v -> {
            disconnect(stream, "client closed the stream");
            stream.end(GrpcStatus.OK, null);
        });
        call.exceptionHandler(e -> disconnect(stream, e.toString()));
        call.errorHandler(err -> disconnect(stream, "stream error " + err));
        call.response().exceptionHandler(e -> disconnect(stream, e.toString()));
        stream.onRequest(first);
        call.resume();
    }

    private void disconnect(AdsStream<?, ?> stream, String why) {
        if (streams.remove(stream.id) == null) {
            return;
        }
        stream.markClosed();
        Set<AdsStream<?, ?>> members = byGroup.get(stream.group);
        if (members != null) {
            members.remove(stream);
            if (members.isEmpty()) {
                byGroup.remove(stream.group);
            }
        }
        metrics.disconnected();
        LOG.info("ADS stream {} disconnected: {} ({})", stream.id, stream.proxyName(), why);
    }

    private Future<Void> verifyPeer(GrpcServerRequest<?, ?> call, Node node) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : call.connection().peerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return Future.failedFuture("no verified client certificate (expected: the gateway's SVID)");
        }
        if (chain.isEmpty()) {
            return Future.failedFuture("no client certificate (expected: the gateway's SVID)");
        }
        try {
            return verifier.verify(chain, node);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private void refuse(GrpcServerRequest<?, ?> call, GrpcStatus status, String message) {
        metrics.refused();
        LOG.warn("ADS stream refused ({}): {}", status, message);
        call.response().status(status).statusMessage(message).end();
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    // ---- status --------------------------------------------------------------------------------------------

    @Override
    public Future<List<ProxyStatus>> proxyStatuses() {
        return onContext(() -> {
            List<ProxyStatus> out = new ArrayList<>();
            for (AdsStream<?, ?> s : streams.values()) {
                out.add(s.status());
            }
            out.sort(Comparator.comparing(ProxyStatus::proxyName)
                    .thenComparing(p -> Long.parseLong(p.streamId())));
            return List.copyOf(out);
        });
    }

    /** Ends every stream with UNAVAILABLE (server shutdown) and stops the debouncer. */
    Future<Void> shutdown() {
        return onContext(() -> {
            debouncer.cancel();
            List<Future<Void>> ending = new ArrayList<>();
            for (AdsStream<?, ?> s : List.copyOf(streams.values())) {
                disconnect(s, "server shutting down");
                ending.add(s.end(GrpcStatus.UNAVAILABLE, "meshfed control plane shutting down"));
            }
            return Future.join(ending);
        }).compose(all -> all.otherwiseEmpty().mapEmpty());
    }

    private <T> Future<T> onContext(Supplier<T> work) {
        if (onOwner()) {
            try {
                return Future.succeededFuture(work.get());
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> {
            try {
                promise.complete(work.get());
            } catch (RuntimeException e) {
                promise.fail(e);
            }
        });
        return promise.future();
    }
}
