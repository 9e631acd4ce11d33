package io.meshfed.gateway.eastwest.process;

import io.meshfed.control.client.metrics.ConnectionMetric;
import io.meshfed.control.client.metrics.DestinationService;
import io.meshfed.control.client.metrics.IstioMetrics;
import io.meshfed.control.client.metrics.RequestMetric;
import io.meshfed.control.client.metrics.Reporter;
import io.meshfed.control.client.metrics.SecurityPolicy;
import io.meshfed.control.client.metrics.TrafficLabels;
import io.meshfed.control.client.metrics.Workload;
import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.RequestRecord;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The east-west gateway's records as Istio's standard metrics (istio.io, "Istio Standard Metrics"): request metrics
 * for every request of an L7 chain (terminate mode on an HTTP port, the outbound listener), TCP metrics for every
 * connection a {@code tcp_proxy} routed (passthrough, terminate on a TCP port); connections refused before routing
 * (unknown SNI, RBAC) have no destination and are counted by {@code meshfed_eastwest_rejected_total} instead.
 *
 * <p>Who reports: where the gateway terminates the caller's mTLS it stands in for the sidecar the destination workload
 * does not have, so it reports as {@code reporter="destination"} with {@code source_principal} = the verified peer,
 * {@code destination_principal} = its own SVID and {@code connection_security_policy="mutual_tls"}, which is what
 * lets Kiali draw the cross-cluster edge. In passthrough and on the outbound listener it is a gateway in the path and
 * reports as Istio's gateways do: {@code reporter="source"}, itself as the source, policy {@code unknown}.
 *
 * <p>Hot path: called on event loops. {@link TrafficLabels} are cached per (mode, peer, cluster, endpoint) and reused;
 * flags map through a fixed table. TCP connections are reported when they close, so opened and closed move together.
 */
final class EastWestMetrics implements ConnectionObserver {

  /** Enough for every (peer, cluster, endpoint) a gateway sees at once; past it the cache starts over. */
  static final int MAX_CACHED_LABELS = 10_000;


  private record Key(boolean terminated, String principal, String cluster, ConnectionRecord.Upstream upstream) {
  }

  private final IstioMetrics metrics;
  private final Workload gateway;
  private final ConcurrentMap<Key, TrafficLabels> labels = new ConcurrentHashMap<>();

  EastWestMetrics(IstioMetrics metrics, Workload gateway) {
    this.metrics = metrics;
    this.gateway = gateway;
  }

  @Override
  public void request(RequestRecord record) {
    TrafficLabels traffic = labels(record.mode(), record.sourcePrincipal(), record.destinationCluster(),
        record.destination());
    metrics.recordRequest(RequestMetric.http(traffic, record.status(), EngineFlags.of(record.responseFlags()),
        record.duration().toNanos() / 1_000_000.0, record.requestBytes(), record.responseBytes()));
  }

  @Override
  public void closed(ConnectionRecord record) {
    if (record.destinationCluster() == null || record.destinationCluster().isEmpty()) {
      // Not a tcp_proxy connection: refused before routing, or an L7 chain whose requests were reported one by one.
      return;
    }
    TrafficLabels traffic = labels(record.mode(), record.sourcePrincipal(), record.destinationCluster(),
        record.destination());
    metrics.recordConnectionOpened(traffic);
    metrics.recordConnectionClosed(new ConnectionMetric(traffic, EngineFlags.of(record.responseFlags()), record.sentBytes(),
        record.receivedBytes()));
  }

  private TrafficLabels labels(Mode mode, String principal, String cluster, ConnectionRecord.Upstream upstream) {
    boolean terminated = mode == Mode.TERMINATE_HTTP || mode == Mode.TERMINATE_TCP;
    Key key = new Key(terminated, terminated && principal != null ? principal : "", cluster == null ? "" : cluster,
        upstream == null ? ConnectionRecord.Upstream.UNKNOWN : upstream);
    TrafficLabels known = labels.get(key);
    if (known != null) {
      return known;
    }
    if (labels.size() >= MAX_CACHED_LABELS) {
      // Peers and endpoints come and go; meters stay registered, only the label objects are rebuilt.
      labels.clear();
    }
    return labels.computeIfAbsent(key, this::build);
  }

  private TrafficLabels build(Key key) {
    TrafficLabels.Builder builder = TrafficLabels.builder()
        .destinationService(DestinationService.ofCluster(key.cluster()));
    Workload.Builder destination = Workload.builder().name(key.upstream().workload())
        .namespace(key.upstream().namespace()).app(key.upstream().app()).version(key.upstream().version())
        .cluster(key.upstream().cluster().isEmpty() ? gateway.cluster() : key.upstream().cluster());
    if (key.terminated()) {
      return builder.reporter(Reporter.DESTINATION).securityPolicy(SecurityPolicy.MUTUAL_TLS)
          .source(peer(key.principal()))
          .destination(destination.principal(gateway.principal()).build())
          .build();
    }
    return builder.reporter(Reporter.SOURCE).securityPolicy(SecurityPolicy.UNKNOWN).source(gateway)
        .destination(destination.build()).build();
  }

  /** The verified caller: its SPIFFE id and the namespace in it; the rest is unknown without peer metadata. */
  private static Workload peer(String principal) {
    String namespace = null;
    int ns = principal.indexOf("/ns/");
    if (ns >= 0) {
      int end = principal.indexOf('/', ns + 4);
      namespace = end < 0 ? principal.substring(ns + 4) : principal.substring(ns + 4, end);
    }
    return Workload.builder().principal(principal).namespace(namespace).build();
  }
}
