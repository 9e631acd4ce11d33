package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.meshfed.gateway.eastwest.stats.Counters;
import io.meshfed.gateway.eastwest.upstream.ClusterDirectory;
import io.meshfed.gateway.eastwest.upstream.UpstreamConnector;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The minimal HTTP forwarder of the east-west gateway (HTTP/1.1 and HTTP/2 downstream, HTTP/1.1 upstream, router
 * filter only): what terminate mode runs on HTTP ports so metrics and response flags are per request, and what the
 * outbound listener's plaintext chain runs. The full L7 engine is ingress-egress's. One instance per engine; the
 * upstream connection pools are per event loop.
 */
public final class HttpFrontends {

  private final UpstreamConnector connector;
  private final ClusterDirectory clusters;
  private final Counters counters;
  private final ConnectionObserver observer;
  private final FastThreadLocal<UpstreamPool> pools = new FastThreadLocal<>() {
    @Override
    protected UpstreamPool initialValue() {
      return new UpstreamPool();
    }
  };

  public HttpFrontends(UpstreamConnector connector, ClusterDirectory clusters, Counters counters,
      ConnectionObserver observer) {
    this.connector = connector;
    this.clusters = clusters;
    this.counters = counters;
    this.observer = observer;
  }

  /** The handler that starts HTTP on a connection (it picks HTTP/1.1 or HTTP/2 and installs the rest). */
  public ChannelHandler frontend(HttpTarget target, boolean tls, String listener) {
    return new ProtocolSniffer(this, target, tls, listener);
  }

  UpstreamConnector connector() {
    return connector;
  }

  ClusterDirectory clusters() {
    return clusters;
  }

  Counters counters() {
    return counters;
  }

  ConnectionObserver observer() {
    return observer;
  }

  /** The calling event loop's pool of idle upstream connections. */
  UpstreamPool pool() {
    return pools.get();
  }
}
