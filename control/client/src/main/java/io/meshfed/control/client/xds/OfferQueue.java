package io.meshfed.control.client.xds;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Runs the client's offers one after the other, across reconnections too: a response that arrives on a new stream
 * while the consumer is still judging one from the old stream waits for that verdict, so a subscription's last good
 * set is never offered two updates at once. Owned by the client's context.
 */
final class OfferQueue {

  private Future<Void> tail = Future.succeededFuture();

  /** Runs {@code step} once every earlier step has finished (successfully or not). */
  void enqueue(Supplier<Future<Void>> step) {
    tail = tail.transform(ignored -> {
      try {
        return step.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
  }
}
