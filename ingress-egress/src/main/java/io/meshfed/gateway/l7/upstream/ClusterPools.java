package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.balancing.LoadBalancer;
import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.Host;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One event loop's view of one cluster runtime: its load balancer state and a connection pool per host.
 * Event-loop confined.
 */
public final class ClusterPools {

  private final EventLoop loop;
  private final ClusterRuntime cluster;
  private final Upstreams upstreams;
  private final LoadBalancer balancer;
  private final Map<String, HostPool> byHost = new HashMap<>();
  private int acquisitions;

  ClusterPools(EventLoop loop, ClusterRuntime cluster, Upstreams upstreams) {
    this.loop = loop;
    this.cluster = cluster;
    this.upstreams = upstreams;
    this.balancer = new LoadBalancer(cluster.spec());
  }

  /** This event loop's load balancer for the cluster. */
  public LoadBalancer balancer() {
    return balancer;
  }

  /** The cluster runtime. */
  public ClusterRuntime cluster() {
    return cluster;
  }

  /**
   * Asks for a stream to {@code host}; see {@link HostPool#acquire}. Returns a handle to cancel waiting, or null when
   * the callback already ran.
   */
  public PendingStream acquire(Host host, StreamListener listener, StreamCallback callback) {
    HostPool pool = byHost.get(host.key());
    if (pool == null || pool.host() != host) {
      pool = new HostPool(loop, cluster, host, upstreams);
      HostPool previous = byHost.put(host.key(), pool);
      if (previous != null) {
        previous.closeGracefully();
      }
    }
    if ((++acquisitions & 1023) == 0) {
      prune();
    }
    return pool.acquire(listener, callback);
  }

  /** Drops pools of hosts that left the cluster and hold nothing any more. */
  private void prune() {
    var current = cluster.hosts().all();
    for (Iterator<HostPool> it = byHost.values().iterator(); it.hasNext(); ) {
      HostPool pool = it.next();
      if (!current.contains(pool.host())) {
        pool.closeGracefully();
        if (pool.empty()) {
          it.remove();
        }
      }
    }
  }

  void closeGracefully() {
    for (HostPool pool : byHost.values()) {
      pool.closeGracefully();
    }
  }
}
