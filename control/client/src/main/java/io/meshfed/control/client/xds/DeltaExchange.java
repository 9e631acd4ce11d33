package io.meshfed.control.client.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Incremental exchange: changes per response, resume with {@code initial_resource_versions}. */
final class DeltaExchange extends Exchange<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private static final String WILDCARD = "*";

    DeltaExchange(GrpcClientRequest<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, Node node,
            Map<XdsResourceType, ClientSubscription> subscriptions, Context context, OfferQueue offers) {
        super(call, node, subscriptions, context, offers);
    }

    @Override
    void start() {
        for (ClientSubscription s : subscriptions.values()) {
            DeltaDiscoveryRequest.Builder request = DeltaDiscoveryRequest.newBuilder()
                    .setTypeUrl(s.type.typeUrl())
                    .addAllResourceNamesSubscribe(s.wildcard() ? List.of(WILDCARD)
                            : s.names().stream().sorted().toList())
                    // What we hold: the server sends only what changed while we were away.
                    .putAllInitialResourceVersions(s.acceptedResourceVersions());
            withNode(request);
            write(request.build());
        }
    }

    private void withNode(DeltaDiscoveryRequest.Builder request) {
        Node node = nodeOnce();
        if (node != null) {
            request.setNode(node);
        }
    }

    @Override
    Future<Void> handle(DeltaDiscoveryResponse response) {
        Optional<XdsResourceType> type = XdsResourceType.fromTypeUrl(response.getTypeUrl());
        ClientSubscription s = type.map(subscriptions::get).orElse(null);
        if (s == null) {
            return Future.succeededFuture();
        }
        StringBuilder errors = new StringBuilder();
        Map<String, XdsResource> upserts = new LinkedHashMap<>();
        int i = 0;
        for (Resource resource : response.getResourcesList()) {
            XdsResource r = s.unpack(resource.getResource(), resource.getVersion(), i++, errors);
            if (r == null) {
                continue;
            }
            if (!resource.getName().isEmpty() && !resource.getName().equals(r.name())) {
                ClientSubscription.append(errors, s.type.shortName() + " resource " + resource.getName()
                        + ": carries a resource named " + r.name() + " (expected: the same name)");
                continue;
            }
            if (upserts.put(r.name(), r) != null) {
                ClientSubscription.append(errors, s.type.shortName() + " resource " + r.name()
                        + ": sent twice in one response (expected: unique names)");
            }
        }
        String version = response.getSystemVersionInfo();
        DeltaDiscoveryRequest.Builder answer = DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(s.type.typeUrl())
                .setResponseNonce(response.getNonce());
        if (errors.length() > 0) {
            s.reject(version, errors.toString());
            answer.setErrorDetail(error(errors.toString()));
            write(answer.build());
            return Future.succeededFuture();
        }
        return s.offerChanges(context, version, upserts, Set.copyOf(response.getRemovedResourcesList()))
                .map(verdict -> {
                    if (!verdict.accepted()) {
                        answer.setErrorDetail(error(verdict.error()));
                    }
                    write(answer.build());
                    return null;
                });
    }

    @Override
    void subscriptionChanged(ClientSubscription s, Set<String> before) {
        Set<String> now = s.wildcard() ? Set.of(WILDCARD) : s.names();
        Set<String> was = before.isEmpty() ? Set.of(WILDCARD) : before;
        DeltaDiscoveryRequest.Builder request = DeltaDiscoveryRequest.newBuilder().setTypeUrl(s.type.typeUrl());
        now.stream().filter(n -> !was.contains(n)).sorted().forEach(request::addResourceNamesSubscribe);
        was.stream().filter(n -> !now.contains(n)).sorted().forEach(request::addResourceNamesUnsubscribe);
        write(request.build());
    }
}
