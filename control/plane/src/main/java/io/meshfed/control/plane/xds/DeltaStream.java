package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshfed.control.client.xds.XdsResourceType;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incremental ADS stream ({@code DeltaAggregatedResources}).
 *
 * <p>Per type it keeps the versions it believes the gateway holds, seeded from {@code initial_resource_versions} on
 * the first request (so a reconnecting gateway gets only what changed while it was away), and updated on every send.
 * A NACKed version is booked as held too: it is not resent until the resource changes again.
 */
final class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaStream.class);

    private final Map<XdsResourceType, TypeState> states = new EnumMap<>(XdsResourceType.class);

    private static final class TypeState {
        final Subscription subscription = new Subscription();
        final Map<String, String> clientVersions = new HashMap<>();
        /** Names to send (or report absent) even if the gateway seems to hold them. */
        final Set<String> force = new LinkedHashSet<>();
        /** Whether the first response for this type is still owed (sent even when empty). */
        boolean mustRespond = true;
    }

    DeltaStream(String id, Node node, String group, StreamHost host,
            GrpcServerRequest<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, boolean tls) {
        super(id, node, group, host, call, tls);
    }

    @Override
    ProxyStatus.Protocol protocol() {
        return ProxyStatus.Protocol.DELTA;
    }

    @Override
    void onRequest(DeltaDiscoveryRequest request) {
        Optional<XdsResourceType> maybeType = XdsResourceType.fromTypeUrl(request.getTypeUrl());
        if (maybeType.isEmpty()) {
            LOG.debug("ADS stream {}: ignoring delta request for unserved type {}", id, request.getTypeUrl());
            return;
        }
        XdsResourceType type = maybeType.get();
        tracker(type).subscribed();
        boolean first = !states.containsKey(type);
        TypeState state = states.computeIfAbsent(type, t -> new TypeState());
        String nonce = request.getResponseNonce();
        if (!nonce.isEmpty()) {
            if (nonce.equals(tracker(type).sentNonce())) {
                acknowledge(type, tracker(type).sentVersion(), nonce,
                        request.hasErrorDetail() ? Optional.of(request.getErrorDetail()) : Optional.empty());
            } else {
                // Stale for ACK purposes only: subscription changes in it still count (xDS protocol, delta).
                host.metrics().expiredNonce(type);
            }
        }
        UnaryOperator<String> shared = sharedNames(type);
        if (first) {
            request.getInitialResourceVersionsMap().forEach((name, version) ->
                    state.clientVersions.put(shared.apply(name), version));
        }
        Set<String> unsubscribed = new HashSet<>();
        Set<String> added = state.subscription.update(request.getResourceNamesSubscribeList(),
                request.getResourceNamesUnsubscribeList(), first, unsubscribed, shared);
        for (String name : added) {
            // On the first request, a name the gateway already holds (initial_resource_versions) is the resume
            // point: sent only if its version differs.
            if (!Subscription.WILDCARD.equals(name) && !(first && state.clientVersions.containsKey(name))) {
                state.force.add(name);
            }
        }
        for (String name : unsubscribed) {
            if (state.subscription.wildcard()) {
                // Wildcard plus a specific name: the gateway cannot tell whether the wildcard still covers it,
                // so say so with the resource or its removal (xDS protocol, "Unsubscribing from Resources").
                state.force.add(name);
            } else {
                state.clientVersions.remove(name);
            }
        }
        if (!state.subscription.wildcard() && request.getResourceNamesUnsubscribeList().contains(Subscription.WILDCARD)) {
            // Dropping the wildcard drops what only it covered; no removal notice is owed.
            state.clientVersions.keySet().removeIf(n -> !state.subscription.covers(n));
        }
        Snapshot snapshot = host.current(group);
        if (snapshot != null && (state.mustRespond || !state.force.isEmpty())) {
            respond(type, state, snapshot, null, 0, true);
        }
    }

    @Override
    void push(Snapshot snapshot, SnapshotDiff diff, long changeNanos) {
        List<XdsResourceType> due = new ArrayList<>();
        for (XdsResourceType type : XdsResourceType.pushOrder()) {
            TypeState state = states.get(type);
            if (state != null && (diff == null || diff.typeChanged(type) || state.mustRespond
                    || !state.force.isEmpty())) {
                due.add(type);
            }
        }
        for (int i = 0; i < due.size(); i++) {
            XdsResourceType type = due.get(i);
            respond(type, states.get(type), snapshot, diff == null ? null : diff.changed(type), changeNanos,
                    i == due.size() - 1);
        }
    }

    /**
     * Sends what the gateway lacks among the candidates (null: everything in scope and everything it holds).
     */
    private void respond(XdsResourceType type, TypeState state, Snapshot snapshot, Collection<String> candidates,
            long changeNanos, boolean lastOfPush) {
        Set<String> names = new LinkedHashSet<>();
        if (candidates == null) {
            if (state.subscription.wildcard()) {
                names.addAll(snapshot.resources(type).keySet());
            }
            names.addAll(state.subscription.names());
            names.addAll(state.clientVersions.keySet());
        } else {
            names.addAll(candidates);
        }
        names.addAll(state.force);
        DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder();
        List<String> removed = new ArrayList<>();
        for (String name : names) {
            String held = state.clientVersions.get(name);
            if (!state.subscription.covers(name)) {
                // Out of scope (its wildcard was dropped, or claimed at resume without a subscription).
                state.clientVersions.remove(name);
                continue;
            }
            VersionedResource r = snapshot.resource(type, name);
            boolean forced = state.force.contains(name);
            if (r == null) {
                if (held != null || forced) {
                    // Deleted, or subscribed but absent: delta says so explicitly ("Knowing When a Requested
                    // Resource Does Not Exist").
                    removed.add(name);
                    state.clientVersions.remove(name);
                }
            } else if (forced || !r.version().equals(held)) {
                response.addResources(Resource.newBuilder().setName(name).setVersion(r.version())
                        .setResource(r.resource()));
                state.clientVersions.put(name, r.version());
            }
        }
        state.force.clear();
        if (response.getResourcesCount() == 0 && removed.isEmpty() && !state.mustRespond) {
            return;
        }
        state.mustRespond = false;
        removed.sort(null);
        String nonce = nextNonce();
        response.setTypeUrl(type.typeUrl())
                .setSystemVersionInfo(snapshot.version(type))
                .addAllRemovedResources(removed)
                .setNonce(nonce)
                .setControlPlane(host.controlPlane());
        send(type, response.build(), snapshot.version(type), nonce, changeNanos, lastOfPush);
    }
}
