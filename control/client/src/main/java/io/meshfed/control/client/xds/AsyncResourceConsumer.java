package io.meshfed.control.client.xds;

import io.vertx.core.Future;

/**
 * A {@link ResourceConsumer} whose verdict takes time: a data plane that must build TLS contexts or bind listeners
 * before it can say whether an update holds. The client answers the control plane (ACK or NACK) only when the future
 * completes, and handles the stream's next response after that, so updates reach the consumer one at a time and in
 * order. A failed future rejects the update with the failure's message.
 *
 * <p>Called on the client's context; the future may complete on any thread (the client hops back).
 */
@FunctionalInterface
public interface AsyncResourceConsumer {

  /** Validates and, if valid, applies an update; the verdict may come later. */
  Future<Verdict> accept(ResourceUpdate update);

  /** A synchronous consumer, answered at once. */
  static AsyncResourceConsumer of(ResourceConsumer consumer) {
    return update -> Future.succeededFuture(consumer.accept(update));
  }
}
