package io.meshfed.control.client.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** State-of-the-world exchange: whole sets per response, ACK/NACK by version_info + nonce. */
final class SotwExchange extends Exchange<DiscoveryRequest, DiscoveryResponse> {
    private final Map<XdsResourceType, String> nonces = new EnumMap<>(XdsResourceType.class);

    SotwExchange(GrpcClientRequest<DiscoveryRequest, DiscoveryResponse> call, Node node,
            Map<XdsResourceType, ClientSubscription> subscriptions, Context context, OfferQueue offers) {
        super(call, node, subscriptions, context, offers);
    }

    @Override
    void start() {
        for (ClientSubscription s : subscriptions.values()) {
            // version_info of the last good set: the server may skip what we already hold.
            send(s, s.acceptedVersion(), null);
        }
    }

    private void send(ClientSubscription s, String version, String error) {
        DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder()
                .setTypeUrl(s.type.typeUrl())
                .setVersionInfo(version)
                .setResponseNonce(nonces.getOrDefault(s.type, ""))
                .addAllResourceNames(s.names().stream().sorted().toList());
        Node node = nodeOnce();
        if (node != null) {
            request.setNode(node);
        }
        if (error != null) {
            request.setErrorDetail(error(error));
        }
        write(request.build());
    }

    @Override
    Future<Void> handle(DiscoveryResponse response) {
        Optional<XdsResourceType> type = XdsResourceType.fromTypeUrl(response.getTypeUrl());
        ClientSubscription s = type.map(subscriptions::get).orElse(null);
        if (s == null) {
            return Future.succeededFuture();
        }
        nonces.put(s.type, response.getNonce());
        StringBuilder errors = new StringBuilder();
        Map<String, XdsResource> received = new LinkedHashMap<>();
        int i = 0;
        for (Any any : response.getResourcesList()) {
            XdsResource r = s.unpack(any, response.getVersionInfo(), i++, errors);
            if (r == null) {
                continue;
            }
            if (!s.wildcard() && !s.names().contains(r.name())) {
                continue; // not asked for: ignored (xDS protocol, "How the client specifies ...")
            }
            if (received.put(r.name(), r) != null) {
                ClientSubscription.append(errors, s.type.shortName() + " resource " + r.name()
                        + ": sent twice in one response (expected: unique names)");
            }
        }
        if (errors.length() > 0) {
            s.reject(response.getVersionInfo(), errors.toString());
            send(s, s.acceptedVersion(), errors.toString());
            return Future.succeededFuture();
        }
        Map<String, XdsResource> candidate;
        if (s.type.stateOfTheWorldComplete()) {
            candidate = received;
        } else {
            // RDS/EDS/SDS responses need not carry every resource; absent ones are kept while subscribed.
            candidate = new LinkedHashMap<>();
            for (XdsResource r : s.accepted().values()) {
                if (s.wildcard() || s.names().contains(r.name())) {
                    candidate.put(r.name(), r);
                }
            }
            candidate.putAll(received);
        }
        return s.offerAll(context, response.getVersionInfo(), candidate).map(verdict -> {
            send(s, verdict.accepted() ? response.getVersionInfo() : s.acceptedVersion(),
                    verdict.accepted() ? null : verdict.error());
            return null;
        });
    }

    @Override
    void subscriptionChanged(ClientSubscription s, Set<String> before) {
        send(s, s.acceptedVersion(), null);
    }
}
