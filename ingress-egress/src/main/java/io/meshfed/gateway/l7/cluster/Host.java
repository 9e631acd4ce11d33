package io.meshfed.gateway.l7.cluster;

import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream endpoint as the data plane uses it. A host keeps its identity (and so its outlier state, active
 * request count and connection pools) across EDS updates that keep its address, port and TLS.
 *
 * <p>Thread safety: the counters are atomics shared by every event loop; the ejection fields are written only by
 * the cluster's {@link OutlierDetector} (its owner context) and read by any event loop.
 */
public final class Host {

  private final EndpointSpec endpoint;
  private final InetSocketAddress address;
  private final Locality locality;
  private final int priority;
  private final UpstreamTlsSpec tls;
  private final String key;
  private final String hostPort;
  /** Requests in flight to this host, over all event loops (Envoy's {@code rq_active}), for LEAST_REQUEST. */
  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
  private volatile long ejectedUntilNanos;
  int ejections;

  Host(EndpointSpec endpoint, InetSocketAddress address, Locality locality, int priority, UpstreamTlsSpec tls) {
    this.endpoint = endpoint;
    this.address = address;
    this.locality = locality;
    this.priority = priority;
    this.tls = tls;
    this.key = key(address, tls);
    String ip = address.getAddress().getHostAddress();
    this.hostPort = (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
  }

  static String key(InetSocketAddress address, UpstreamTlsSpec tls) {
    return address.getAddress().getHostAddress() + ":" + address.getPort() + (tls == null ? "" : "/tls:" + tls.sni());
  }

  /** The endpoint as EDS described it. */
  public EndpointSpec endpoint() {
    return endpoint;
  }

  /** The resolved socket address connections go to. */
  public InetSocketAddress address() {
    return address;
  }

  /** Its locality. */
  public Locality locality() {
    return locality;
  }

  /** Its priority. */
  public int priority() {
    return priority;
  }

  /** The TLS to speak to it, null for plaintext. */
  public UpstreamTlsSpec tls() {
    return tls;
  }

  /** Identity across updates: address, port and TLS. */
  public String key() {
    return key;
  }

  /** {@code ip:port}, as the access log's {@code %UPSTREAM_HOST%}. */
  public String hostPort() {
    return hostPort;
  }

  /** Its load-balancing weight. */
  public int weight() {
    return endpoint.weight();
  }

  /** Requests in flight to this host over all event loops. */
  public int activeRequests() {
    return active.get();
  }

  /** Marks a request started (LEAST_REQUEST bookkeeping). */
  public void requestStarted() {
    active.incrementAndGet();
  }

  /** Marks a request ended. */
  public void requestEnded() {
    active.decrementAndGet();
  }

  /** True while ejected by outlier detection. */
  public boolean ejected() {
    long until = ejectedUntilNanos;
    return until != 0 && until - System.nanoTime() > 0;
  }

  void eject(long untilNanos) {
    ejectedUntilNanos = untilNanos;
  }

  void uneject() {
    ejectedUntilNanos = 0;
  }

  long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  /** EDS health (not outlier ejection). */
  public boolean edsHealthy() {
    return endpoint.health() == EndpointSpec.Health.HEALTHY;
  }

  /** Eligible for new requests: EDS-healthy and not ejected. */
  public boolean healthy() {
    return edsHealthy() && !ejected();
  }

  @Override
  public String toString() {
    return "Host[" + key + ", p" + priority + ", " + locality + ", " + endpoint.health()
        + (ejected() ? ", ejected" : "") + "]";
  }
}
