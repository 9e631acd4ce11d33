package io.meshfed.control.client.runtime;

/**
 * Which upstream hosts the data plane's outlier detection has ejected right now, so {@code /clusters} can flag them
 * {@code /failed_outlier_check} as Envoy does. Called from the admin server's thread: must be thread-safe and
 * cheap.
 */
@FunctionalInterface
public interface OutlierEjections {

  /** No host is ejected (a data plane without outlier detection). */
  OutlierEjections NONE = (cluster, address) -> false;

  /** Whether the host {@code address} ({@code ip:port}) of {@code cluster} is ejected. */
  boolean isEjected(String cluster, String address);
}
