package io.meshfed.gateway.eastwest;

/**
 * The hook the runtime kit hangs Istio metrics and the access log on. Called on the connection's event loop: an
 * implementation must be quick and must not block (count into Micrometer meters, enqueue a log line).
 */
public interface ConnectionObserver {

  /** Does nothing. */
  ConnectionObserver NONE = new ConnectionObserver() {
  };

  /** A downstream connection was accepted (before any inspection). */
  default void opened(String listener, java.net.InetSocketAddress remote) {
  }

  /** A downstream connection closed: forwarded, failed upstream (see its flags) or rejected (its reason). */
  default void closed(ConnectionRecord record) {
  }

  /** An HTTP request through an L7 chain completed (or failed; see its flags). */
  default void request(RequestRecord record) {
  }
}
