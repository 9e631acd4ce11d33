package io.meshfed.control.client.xds;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.Map;
import java.util.Set;

/**
 * One open ADS stream of the client: turns responses into offers to the subscriptions and answers ACK/NACK.
 * A new exchange is made per (re)connection; subscriptions carry over.
 *
 * @param <Q> request message
 * @param <R> response message
 */
abstract class Exchange<Q, R> {
    final GrpcClientRequest<Q, R> call;
    final Map<XdsResourceType, ClientSubscription> subscriptions;
    private final Node node;
    private boolean nodeSent;
    /** Set once the server answered anything on this stream (resets the reconnect backoff). */
    boolean answered;

    Exchange(GrpcClientRequest<Q, R> call, Node node, Map<XdsResourceType, ClientSubscription> subscriptions) {
        this.call = call;
        this.node = node;
        this.subscriptions = subscriptions;
    }

    /** Sends the first request of every subscribed type. */
    abstract void start();

    abstract void onResponse(R response);

    /** The names of a subscription changed from {@code before}. */
    abstract void subscriptionChanged(ClientSubscription subscription, Set<String> before);

    /** The node goes in the first request of a stream only (xDS protocol: later ones may omit it). */
    final Node nodeOnce() {
        if (nodeSent) {
            return null;
        }
        nodeSent = true;
        return node;
    }

    static Status error(String message) {
        return Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(message).build();
    }
}
