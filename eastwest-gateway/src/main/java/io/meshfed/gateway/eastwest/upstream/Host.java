package io.meshfed.gateway.eastwest.upstream;

import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.config.HostConfig;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * An upstream host inside one snapshot: its config, the state it shares with other snapshots, its priority, and the
 * client TLS context for it ({@code null}: plaintext).
 */
public final class Host {

  private final HostConfig config;
  private final HostState state;
  private final int priority;
  private final SslContext tls;
  private final SslContext httpTls;
  private final ConnectionRecord.Upstream destination;

  Host(HostConfig config, HostState state, int priority, SslContext tls, SslContext httpTls) {
    this.config = config;
    this.state = state;
    this.priority = priority;
    this.tls = tls;
    this.httpTls = httpTls;
    var metadata = config.metadata();
    this.destination = new ConnectionRecord.Upstream(metadata.workload(), metadata.namespace(), metadata.app(),
        metadata.version(), metadata.cluster(), metadata.network());
  }

  public InetSocketAddress address() {
    return config.address();
  }

  public HostConfig config() {
    return config;
  }

  public HostState state() {
    return state;
  }

  public int priority() {
    return priority;
  }

  /** The client TLS context for L4 origination toward this host, or {@code null} for plaintext. */
  public SslContext tls() {
    return tls;
  }

  /** The client TLS context for HTTP/1.1 origination (Istio's HTTP ALPN), or {@code null} for plaintext. */
  public SslContext httpTls() {
    return httpTls;
  }

  /** The SNI to send when originating TLS ({@code ""} when plaintext or none configured). */
  public String sni() {
    return config.tls() == null ? "" : config.tls().sni();
  }

  /** Istio's labels for this host in records. */
  public ConnectionRecord.Upstream destination() {
    return destination;
  }

  @Override
  public String toString() {
    return config.address().getAddress().getHostAddress() + ":" + config.address().getPort() + "(p" + priority + ")";
  }
}
