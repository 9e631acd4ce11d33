package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.TlsContextCache;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The engine's upstream side: per event loop, the pools of every cluster runtime (Envoy keeps connection pools per
 * worker the same way, so a request never leaves its event loop), and the client TLS contexts shared by all loops.
 */
public final class Upstreams {

  private final Transport transport;
  private final Map<EventExecutor, Map<ClusterRuntime, ClusterPools>> perLoop;
  private final TlsContextCache<TlsKey> tls = new TlsContextCache<>();

  private record TlsKey(UpstreamTlsSpec spec, boolean http2) {
  }

  /** Upstreams for the event loops of {@code group}. */
  public Upstreams(Transport transport, EventLoopGroup group) {
    this.transport = transport;
    Map<EventExecutor, Map<ClusterRuntime, ClusterPools>> loops = new IdentityHashMap<>();
    for (EventExecutor executor : group) {
      loops.put(executor, new IdentityHashMap<>());
    }
    this.perLoop = loops;
  }

  /** The transport connections use. */
  public Transport transport() {
    return transport;
  }

  /** The pools of {@code cluster} on {@code loop}; call on {@code loop}. */
  public ClusterPools pools(EventLoop loop, ClusterRuntime cluster) {
    Map<ClusterRuntime, ClusterPools> pools = perLoop.get(loop);
    if (pools == null) {
      throw new IllegalStateException("event loop " + loop + " is not one of the engine's");
    }
    ClusterPools clusterPools = pools.get(cluster);
    if (clusterPools == null) {
      clusterPools = new ClusterPools(loop, cluster, this);
      pools.put(cluster, clusterPools);
    }
    return clusterPools;
  }

  /** Closes a retired runtime's pools on every event loop: idle connections now, busy ones as they finish. */
  public void retire(ClusterRuntime cluster) {
    for (Map.Entry<EventExecutor, Map<ClusterRuntime, ClusterPools>> entry : perLoop.entrySet()) {
      if (entry.getKey().isShuttingDown()) {
        continue;
      }
      entry.getKey().execute(() -> {
        ClusterPools pools = entry.getValue().remove(cluster);
        if (pools != null) {
          pools.closeGracefully();
        }
      });
    }
  }

  /**
   * The client TLS context for {@code spec} with the cluster's current secrets ({@link TlsContextCache}), with a
   * reference the caller releases once its engine is made.
   */
  SslContext acquireClientContext(ClusterRuntime cluster, UpstreamTlsSpec spec)
      throws TlsContextFactory.TlsUnavailableException {
    Map<String, SecretSpec> secrets = cluster.secrets();
    boolean http2 = cluster.spec().http2();
    return tls.acquire(new TlsKey(spec, http2),
        TlsContextCache.secretsUsed(spec.certificateSecrets(), spec.validationSecret(), secrets),
        () -> TlsContextFactory.client(spec, secrets, http2));
  }

  /** Releases the cached TLS contexts (engine close). */
  public void close() {
    tls.close();
  }
}
