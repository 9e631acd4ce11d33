package io.meshfed.gateway.l7.outcome;

/**
 * Where the engine reports each finished request and connection: the seam for the runtime kit's Istio metrics
 * and JSON access log (one value object per request feeds both).
 *
 * <p>Called on the event loop that served the request: implementations must not block and must be thread safe
 * (several event loops report concurrently). An exception thrown here is logged and otherwise ignored.
 */
public interface OutcomeSink {

  /** A sink that drops everything. */
  OutcomeSink NONE = new OutcomeSink() {
    @Override
    public void request(RequestOutcome outcome) {
    }
  };

  /** One HTTP request ended (response completed, or either side reset). */
  void request(RequestOutcome outcome);

  /** One proxied TCP connection ended. */
  default void connection(TcpOutcome outcome) {
  }
}
