package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshfed.control.client.xds.XdsResourceType;
import io.vertx.grpc.server.GrpcServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state-of-the-world ADS stream ({@code StreamAggregatedResources}).
 *
 * <p>Per type it remembers the subscription, the nonce of the latest response and a fingerprint of the resources
 * that response carried. A response is sent for the first request of a type, when the subscription gains names
 * (xDS protocol: newly requested resources must be resent), and on a push when the fingerprint changed; requests
 * whose nonce is not the latest are stale and ignored ("Resource updates": no response to a stale nonce).
 */
final class SotwStream extends AdsStream<DiscoveryRequest, DiscoveryResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(SotwStream.class);

    private final Map<XdsResourceType, TypeState> states = new EnumMap<>(XdsResourceType.class);

    private static final class TypeState {
        final Subscription subscription = new Subscription();
        String fingerprint;
        boolean mustRespond = true;
    }

    SotwStream(String id, Node node, String group, StreamHost host,
            GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call, boolean tls) {
        super(id, node, group, host, call, tls);
    }

    @Override
    ProxyStatus.Protocol protocol() {
        return ProxyStatus.Protocol.STATE_OF_THE_WORLD;
    }

    @Override
    void onRequest(DiscoveryRequest request) {
        Optional<XdsResourceType> maybeType = XdsResourceType.fromTypeUrl(request.getTypeUrl());
        if (maybeType.isEmpty()) {
            LOG.debug("ADS stream {}: ignoring request for unserved type {}", id, request.getTypeUrl());
            return;
        }
        XdsResourceType type = maybeType.get();
        tracker(type).subscribed();
        TypeState state = states.computeIfAbsent(type, t -> new TypeState());
        TypeStatusTracker tracker = tracker(type);
        if (!request.getResponseNonce().equals(tracker.sentNonce())) {
            // A newer response is on its way; the client will answer that one (xDS protocol, stale nonces).
            host.metrics().expiredNonce(type);
            return;
        }
        if (!request.getResponseNonce().isEmpty()) {
            acknowledge(type, request.getVersionInfo(), request.getResponseNonce(),
                    request.hasErrorDetail() ? Optional.of(request.getErrorDetail()) : Optional.empty());
        }
        boolean wasWildcard = state.subscription.wildcard();
        int namesBefore = state.subscription.names().size();
        Set<String> added = state.subscription.replace(request.getResourceNamesList(), sharedNames(type));
        if (!added.isEmpty()) {
            state.mustRespond = true;
        }
        boolean narrowed = wasWildcard != state.subscription.wildcard()
                || namesBefore + countNames(added) != state.subscription.names().size();
        // A plain ACK changes nothing here: new versions wait for the debounced push.
        Snapshot snapshot = host.current(group);
        if (snapshot != null && (state.mustRespond || narrowed)) {
            respond(type, state, snapshot, 0, true);
        }
    }

    private static int countNames(Set<String> added) {
        return added.contains(Subscription.WILDCARD) ? added.size() - 1 : added.size();
    }

    @Override
    void push(Snapshot snapshot, SnapshotDiff diff, long changeNanos) {
        boolean clustersSent = false;
        List<XdsResourceType> due = new ArrayList<>();
        for (XdsResourceType type : XdsResourceType.pushOrder()) {
            TypeState state = states.get(type);
            if (state == null) {
                continue;
            }
            boolean affected = diff == null || state.mustRespond || touches(state.subscription, diff.changed(type));
            // Envoy finishes warming an updated cluster only on a fresh ClusterLoadAssignment, even an unchanged
            // one (xDS protocol, "Resource warming"), so a CDS push is followed by EDS.
            boolean forceEndpoints = type == XdsResourceType.ENDPOINT && clustersSent;
            if (affected || forceEndpoints) {
                if (forceEndpoints) {
                    state.mustRespond = true;
                }
                due.add(type);
            }
            if (type == XdsResourceType.CLUSTER && affected && wouldSend(type, state, snapshot)) {
                clustersSent = true;
            }
        }
        for (int i = 0; i < due.size(); i++) {
            XdsResourceType type = due.get(i);
            respond(type, states.get(type), snapshot, changeNanos, i == due.size() - 1);
        }
    }

    private static boolean touches(Subscription subscription, Set<String> changed) {
        if (changed.isEmpty()) {
            return false;
        }
        if (subscription.wildcard()) {
            return true;
        }
        Set<String> small = changed.size() < subscription.names().size() ? changed : subscription.names();
        Set<String> large = small == changed ? subscription.names() : changed;
        for (String n : small) {
            if (large.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private boolean wouldSend(XdsResourceType type, TypeState state, Snapshot snapshot) {
        return state.mustRespond || !fingerprint(type, state.subscription, snapshot).equals(state.fingerprint);
    }

    private void respond(XdsResourceType type, TypeState state, Snapshot snapshot, long changeNanos,
            boolean lastOfPush) {
        String fingerprint = fingerprint(type, state.subscription, snapshot);
        if (!state.mustRespond && fingerprint.equals(state.fingerprint)) {
            return;
        }
        DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder()
                .setTypeUrl(type.typeUrl())
                .setVersionInfo(snapshot.version(type))
                .setControlPlane(host.controlPlane());
        if (state.subscription.wildcard()) {
            for (VersionedResource r : snapshot.resources(type).values()) {
                response.addResources(r.resource());
            }
        } else {
            for (String name : sorted(state.subscription.names())) {
                VersionedResource r = snapshot.resource(type, name);
                if (r != null) {
                    response.addResources(r.resource());
                }
            }
        }
        String nonce = nextNonce();
        response.setNonce(nonce);
        state.fingerprint = fingerprint;
        state.mustRespond = false;
        send(type, response.build(), snapshot.version(type), nonce, changeNanos, lastOfPush);
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    // Wildcard responses are keyed by the type version; named ones by the names and versions they carry, so a
    // change to a resource this gateway did not ask for sends it nothing.
    private static String fingerprint(XdsResourceType type, Subscription subscription, Snapshot snapshot) {
        if (subscription.wildcard()) {
            return "*" + snapshot.version(type);
        }
        MessageDigest sha = sha256();
        for (String name : sorted(subscription.names())) {
            VersionedResource r = snapshot.resource(type, name);
            if (r != null) {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(r.version().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
