package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's upstream side: per event loop, the pools of every cluster runtime (Envoy keeps connection pools per
 * worker the same way, so a request never leaves its event loop), and the client TLS contexts shared by all loops.
 */
public final class Upstreams {

  private final Transport transport;
  private final Map<EventExecutor, Map<ClusterRuntime, ClusterPools>> perLoop;
  private final ConcurrentHashMap<TlsKey, CachedTls> tls = new ConcurrentHashMap<>();

  private record TlsKey(UpstreamTlsSpec spec, boolean http2) {
  }

  private record CachedTls(List<SecretSpec> secretsUsed, SslContext context) {
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
   * The client TLS context for {@code spec} with the cluster's current secrets; rebuilt when a secret it used was
   * rotated (new connections get the new certificate, established ones keep theirs).
   */
  SslContext clientContext(ClusterRuntime cluster, UpstreamTlsSpec spec)
      throws TlsContextFactory.TlsUnavailableException {
    Map<String, SecretSpec> secrets = cluster.secrets();
    List<SecretSpec> used = secretsUsed(spec, secrets);
    TlsKey key = new TlsKey(spec, cluster.spec().http2());
    CachedTls cached = tls.get(key);
    if (cached != null && sameObjects(cached.secretsUsed, used)) {
      return cached.context;
    }
    SslContext context = TlsContextFactory.client(spec, secrets, cluster.spec().http2());
    CachedTls previous = tls.put(key, new CachedTls(used, context));
    if (previous != null) {
      // Engines already created hold their own reference; this drops only the cache's.
      ReferenceCountUtil.release(previous.context);
    }
    return context;
  }

  private static List<SecretSpec> secretsUsed(UpstreamTlsSpec spec, Map<String, SecretSpec> secrets) {
    List<SecretSpec> used = new ArrayList<>();
    for (String name : spec.certificateSecrets()) {
      used.add(secrets.get(name));
    }
    if (spec.validationSecret() != null) {
      used.add(secrets.get(spec.validationSecret()));
    }
    return used;
  }

  private static boolean sameObjects(List<SecretSpec> a, List<SecretSpec> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** Releases the cached TLS contexts (engine close). */
  public void close() {
    for (CachedTls cached : tls.values()) {
      ReferenceCountUtil.release(cached.context);
    }
    tls.clear();
  }
}
