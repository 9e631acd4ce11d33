package io.meshfed.control.client.xds;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.Map;
import java.util.Set;

/**
 * One open ADS stream of the client: turns responses into offers to the subscriptions and answers ACK/NACK.
 * A new exchange is made per (re)connection; subscriptions carry over. Responses are handled one at a time, in
 * order: the next waits until the consumer's verdict on the previous one is known and answered (xDS protocol: a
 * client answers each response in turn).
 *
 * @param <Q> request message
 * @param <R> response message
 */
abstract class Exchange<Q, R> {
    final GrpcClientRequest<Q, R> call;
    final Map<XdsResourceType, ClientSubscription> subscriptions;
    final Context context;
    private final Node node;
    private final OfferQueue offers;
    private boolean nodeSent;
    private boolean ended;
    /** Set once the server answered anything on this stream (resets the reconnect backoff). */
    boolean answered;

    Exchange(GrpcClientRequest<Q, R> call, Node node, Map<XdsResourceType, ClientSubscription> subscriptions,
            Context context, OfferQueue offers) {
        this.call = call;
        this.node = node;
        this.subscriptions = subscriptions;
        this.context = context;
        this.offers = offers;
    }

    /** Sends the first request of every subscribed type. */
    abstract void start();

    /** A response arrived (on the client's context): handled after those before it. */
    final void onResponse(R response) {
        answered = true;
        offers.enqueue(() -> ended ? Future.succeededFuture() : handle(response));
    }

    /** The stream is over: responses still queued are dropped, verdicts still pending are not sent. */
    final void end() {
        ended = true;
    }

    /** Writes a request unless the stream has ended. */
    final void write(Q request) {
        if (!ended) {
            call.write(request);
        }
    }

    /** Handles one response: offers it and answers; the future completes once the answer is written. */
    abstract Future<Void> handle(R response);

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
