package io.meshfed.control.client.runtime;

import io.vertx.core.Future;

/**
 * Something a gateway drains on shutdown: a listener with its connections (one per listener, or one for a whole
 * data plane). The runtime drains in Envoy's order: stop accepting new connections, let in-flight requests and
 * streams finish up to the drain deadline, then close what is left.
 *
 * <p>The runtime calls these methods on its own context; implementations hop onto their own event loops and return
 * futures. {@link #inFlight()} is polled and must be thread-safe and non-blocking (an atomic counter).
 */
public interface Drainable {

  /** What to call it in logs and readiness: {@code listener 0.0.0.0_8080}. */
  String name();

  /**
   * Stops accepting new connections (close the listening socket) and tells clients on open connections to go
   * elsewhere: {@code Connection: close} on the next HTTP/1.1 response, GOAWAY on HTTP/2. Requests already in flight
   * continue. The runtime does not wait for the returned future before it starts counting down (it may complete
   * only when the last connection closes, as Vert.x's {@code HttpServer.shutdown} does); a failure is logged.
   */
  Future<Void> stopAccepting();

  /** Requests, streams or TCP connections still in flight. */
  int inFlight();

  /** Closes everything still open: the drain deadline has passed. */
  Future<Void> closeRemaining();
}
