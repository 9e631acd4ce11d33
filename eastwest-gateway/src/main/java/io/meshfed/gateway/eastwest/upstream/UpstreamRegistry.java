package io.meshfed.gateway.eastwest.upstream;

import io.meshfed.gateway.eastwest.config.ClusterConfig;
import io.meshfed.gateway.eastwest.config.HostConfig;
import io.meshfed.gateway.eastwest.config.LocalityEndpoints;
import io.meshfed.gateway.eastwest.tls.ClientTlsSpec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Builds each snapshot's {@link ClusterRuntime}s and keeps what must outlive a snapshot: per-host outlier state and
 * per-cluster circuit-breaker counts, keyed by cluster name (and host address). Materialization runs on the one
 * thread that applies config; event loops only read the runtimes it publishes.
 */
public final class UpstreamRegistry {

  private record HostKey(String cluster, InetSocketAddress address) {
  }

  private final Map<String, ClusterState> clusters = new ConcurrentHashMap<>();
  private final Map<HostKey, HostState> hosts = new ConcurrentHashMap<>();

  /** How a host's TLS is used: the ALPN offered differs (see {@link TlsUsage#alpn}). */
  public enum TlsUsage {
    /** L4 origination (tcp_proxy). */
    TCP,
    /** The HTTP/1.1 forwarder. */
    HTTP1;

    /**
     * The ALPN to offer for this use. {@code istio-peer-exchange} is never offered: the gateway does not speak Istio's
     * metadata exchange, and a peer that selected it would expect its frames. For HTTP/1.1 the list is what Istio's
     * ALPN filter puts on a sidecar's HTTP/1.1 upstream ({@code istio-http/1.1}), so the remote filter chain match
     * and protocol selection agree with what the forwarder speaks.
     */
    public java.util.List<String> alpn(ClientTlsSpec spec) {
      if (this == HTTP1) {
        return java.util.List.of("istio-http/1.1", "http/1.1");
      }
      java.util.List<String> alpn = new java.util.ArrayList<>(spec.alpn());
      alpn.remove("istio-peer-exchange");
      return alpn;
    }
  }

  /**
   * @param tls the client context for a spec (the caller caches, so equal specs share one context; the SNI is set
   *     per connection, not in the context)
   */
  public ClusterRuntime materialize(ClusterConfig config, Function<ClientTlsSpec, SslContext> tls) {
    ClusterState state = clusters.computeIfAbsent(config.name(), name -> new ClusterState());
    Map<Integer, List<Host>> byPriority = new TreeMap<>();
    Map<Integer, List<Double>> weights = new TreeMap<>();
    for (LocalityEndpoints locality : config.localities()) {
      double localityHostWeights = 0;
      for (HostConfig host : locality.hosts()) {
        localityHostWeights += host.weight();
      }
      for (HostConfig host : locality.hosts()) {
        HostState hostState = hosts.computeIfAbsent(new HostKey(config.name(), host.address()),
            key -> new HostState());
        SslContext context = null;
        SslContext httpContext = null;
        if (host.tls() != null) {
          context = tls.apply(forUse(host.tls(), TlsUsage.TCP));
          httpContext = tls.apply(forUse(host.tls(), TlsUsage.HTTP1));
        }
        byPriority.computeIfAbsent(locality.priority(), p -> new ArrayList<>())
            .add(new Host(host, hostState, locality.priority(), context, httpContext));
        double weight = config.localityWeighted() && localityHostWeights > 0
            ? locality.weight() * host.weight() / localityHostWeights : host.weight();
        weights.computeIfAbsent(locality.priority(), p -> new ArrayList<>()).add(weight);
      }
    }
    List<PriorityLevel> levels = new ArrayList<>();
    for (Map.Entry<Integer, List<Host>> entry : byPriority.entrySet()) {
      List<Double> levelWeights = weights.get(entry.getKey());
      double[] array = new double[levelWeights.size()];
      for (int i = 0; i < array.length; i++) {
        array[i] = Math.max(levelWeights.get(i), 1e-6);
      }
      levels.add(new PriorityLevel(entry.getKey(), entry.getValue(), array));
    }
    return new ClusterRuntime(config, state, levels);
  }

  /** The spec a context is built from: without the SNI (set per connection) and with the use's ALPN. */
  static ClientTlsSpec forUse(ClientTlsSpec spec, TlsUsage usage) {
    return new ClientTlsSpec("", spec.certificate(), spec.serverValidation(), usage.alpn(spec), spec.parameters());
  }

  /** Forgets state of clusters and hosts no longer configured (after a snapshot was published). */
  public void retainOnly(Collection<ClusterConfig> configured) {
    Set<String> names = new HashSet<>();
    Set<HostKey> keys = new HashSet<>();
    for (ClusterConfig cluster : configured) {
      names.add(cluster.name());
      for (LocalityEndpoints locality : cluster.localities()) {
        for (HostConfig host : locality.hosts()) {
          keys.add(new HostKey(cluster.name(), host.address()));
        }
      }
    }
    clusters.keySet().retainAll(names);
    hosts.keySet().retainAll(keys);
  }
}
