package io.meshfed.control.client.gateway;

import io.meshfed.control.client.runtime.Drainable;
import io.vertx.core.Future;

/**
 * A gateway's traffic engine as {@link GatewayProcess} drives it: the complete accepted state after every xDS update
 * (and after every SVID rotation, with the new SDS {@code default}), a drain hook, and a close.
 */
public interface DataPlane {

  /**
   * Serves {@code resources} if they hold; the outcome becomes the update's ACK or NACK. Updates are applied one at
   * a time, in order. A failed future rejects the whole set with the failure's message.
   */
  Future<ApplyOutcome> apply(ResourceSet resources);

  /** What the runtime drains on SIGTERM. */
  Drainable drainable();

  /** Closes listeners, connections and threads. */
  Future<Void> close();
}
