package io.meshfed.gateway.l7.listener;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;

/**
 * What the data plane knows about one downstream connection: where it came in, which filter chain took it, and its
 * TLS facts. Created once the chain is chosen; TLS facts are filled in after the handshake. Event-loop confined
 * except {@link #draining}, which the engine sets when draining.
 */
public final class ConnectionContext {

  private final String listener;
  private final FilterChainSpec chain;
  private final InetSocketAddress remote;
  private final InetSocketAddress local;
  private final String sni;
  private final String remoteIp;
  private boolean tls;
  private String protocol = "HTTP/1.1";
  private String peerPrincipal = "";
  private X509Certificate peerCertificate;
  private volatile boolean draining;

  ConnectionContext(String listener, FilterChainSpec chain, InetSocketAddress remote, InetSocketAddress local,
                    String sni) {
    this.listener = listener;
    this.chain = chain;
    this.remote = remote;
    this.local = local;
    this.sni = sni == null ? "" : sni;
    this.remoteIp = remote.getAddress().getHostAddress();
  }

  /** The client's IP address as text (computed once per connection). */
  public String remoteIp() {
    return remoteIp;
  }

  /** The listener's name. */
  public String listener() {
    return listener;
  }

  /** The filter chain serving this connection. */
  public FilterChainSpec chain() {
    return chain;
  }

  /** The client's socket address. */
  public InetSocketAddress remote() {
    return remote;
  }

  /** The gateway's socket address. */
  public InetSocketAddress local() {
    return local;
  }

  /** The SNI, empty when none. */
  public String sni() {
    return sni;
  }

  /** True when TLS was terminated here. */
  public boolean tls() {
    return tls;
  }

  /** {@code HTTP/1.1} or {@code HTTP/2}. */
  public String protocol() {
    return protocol;
  }

  /** The verified client certificate's URI SAN (SPIFFE id) or subject, empty without a client certificate. */
  public String peerPrincipal() {
    return peerPrincipal;
  }

  /** The verified client certificate, null without one. */
  public X509Certificate peerCertificate() {
    return peerCertificate;
  }

  /** True once the engine drains: responses carry {@code Connection: close}, HTTP/2 got GOAWAY. */
  public boolean draining() {
    return draining;
  }

  void markTls(X509Certificate certificate, String principal) {
    tls = true;
    peerCertificate = certificate;
    peerPrincipal = principal == null ? "" : principal;
  }

  void protocol(String value) {
    protocol = value;
  }

  void drain() {
    draining = true;
  }
}
