package io.meshfed.trust.tls;

import io.meshfed.trust.InvalidSpiffeIdException;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.SvidProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TCPSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every meshfed TLS endpoint is built: BoringSSL (netty-tcnative via {@link OpenSSLEngineOptions}), TLS 1.3 and
 * 1.2 (the highest both sides speak wins, so 1.3 whenever the peer has it), ALPN, mutual TLS with SPIFFE verification
 * through the SVID's trust bundle (no host-name checks), and the SVID from a {@link SvidProvider}.
 *
 * <p>Vert.x: {@link #netServerOptions()} and friends configure a new endpoint; {@link #bind} keeps a live one current
 * by calling {@code updateSSLOptions} on every rotation, which only affects new handshakes, so open connections are
 * never dropped. Netty, for what Vert.x cannot do: {@link #newClientHandler} originates Istio SNI (underscores, which
 * the JDK's SNIHostName rejects) with SPIFFE verification of the server, and {@link #nettyServerContext()} terminates
 * mTLS after a gateway has peeked the ClientHello.
 */
public final class MeshTls {

  private static final Logger log = LoggerFactory.getLogger(MeshTls.class);
  /** TLS 1.3 preferred, 1.2 accepted for older peers; nothing older (Istio's minimum is TLS 1.2 too). */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
  /** HTTP ALPN: HTTP/2 preferred. */
  public static final List<String> HTTP_ALPN = List.of("h2", "http/1.1");
  /** The ALPN values Istio sidecars offer on mTLS connections (istio-peer-exchange first). */
  public static final List<String> ISTIO_ALPN = List.of("istio-peer-exchange", "istio", "h2", "http/1.1");

  private final SvidProvider svids;
  private final TlsMetrics metrics;
  private final List<String> serverAlpn;
  private final List<String> clientAlpn;
  private final ClientAuth clientAuth;
  private final Predicate<SpiffeId> authorizer;
  private final Map<SSLEngine, Predicate<SpiffeId>> expectedServers = new ConcurrentHashMap<>();
  private final AtomicReference<NettyContexts> netty = new AtomicReference<>();

  private record NettyContexts(Svid svid, SslContext server, SslContext client) {
  }

  private MeshTls(Builder builder) {
    this.svids = builder.svids;
    this.metrics = new TlsMetrics(builder.registry);
    this.serverAlpn = List.copyOf(builder.serverAlpn);
    this.clientAlpn = List.copyOf(builder.clientAlpn);
    this.clientAuth = builder.clientAuth;
    this.authorizer = builder.authorizer;
  }

  /** A builder over {@code svids}: HTTP ALPN, client certificates required, every identity of the bundle accepted. */
  public static Builder builder(SvidProvider svids, MeterRegistry registry) {
    return new Builder(svids, registry);
  }

  // ---------------------------------------------------------------- Vert.x

  /** Server SSL options for the current SVID, for {@code updateSSLOptions} or new servers. */
  public ServerSSLOptions serverSslOptions() {
    Svid svid = svids.current();
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(keyCert(svid))
        .setTrustOptions(trust(svid, null))
        .setClientAuth(clientAuth)
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
        .setUseAlpn(!serverAlpn.isEmpty());
    if (!serverAlpn.isEmpty()) {
      options.setApplicationLayerProtocols(serverAlpn);
    }
    return options;
  }

  /** Client SSL options for the current SVID: SPIFFE verification of the server, no host-name verification. */
  public ClientSSLOptions clientSslOptions() {
    Svid svid = svids.current();
    ClientSSLOptions options = new ClientSSLOptions()
        .setKeyCertOptions(keyCert(svid))
        .setTrustOptions(trust(svid, null))
        // SPIFFE identities replace host names (SPIFFE X509-SVID section 5): the trust manager checks the URI SAN.
        .setHostnameVerificationAlgorithm("")
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
        .setUseAlpn(!clientAlpn.isEmpty());
    if (!clientAlpn.isEmpty()) {
      options.setApplicationLayerProtocols(clientAlpn);
    }
    return options;
  }

  /** Options for a new TLS {@link NetServer}; set host, port and the rest on top. */
  public NetServerOptions netServerOptions() {
    NetServerOptions options = new NetServerOptions().setClientAuth(clientAuth);
    applyServer(options);
    if (!serverAlpn.isEmpty()) {
      options.getSslOptions().setApplicationLayerProtocols(serverAlpn);
    }
    return options;
  }

  /** Options for a new TLS {@link HttpServer} (HTTP/2 and HTTP/1.1 by ALPN). */
  public HttpServerOptions httpServerOptions() {
    HttpServerOptions options = new HttpServerOptions();
    options.setClientAuth(clientAuth);
    applyServer(options);
    return options;
  }

  /** Options for a new TLS {@link NetClient}; connect with {@code ConnectOptions.setSsl(true)}. */
  public NetClientOptions netClientOptions() {
    NetClientOptions options = new NetClientOptions().setHostnameVerificationAlgorithm("");
    applyClient(options);
    if (!clientAlpn.isEmpty()) {
      options.getSslOptions().setApplicationLayerProtocols(clientAlpn);
    }
    return options;
  }

  /** Options for a new TLS HTTP client (HTTP/2 by ALPN when the server offers it). */
  public HttpClientOptions httpClientOptions() {
    // Host names are not identities here: verifyHost off, the SPIFFE trust manager checks the URI SAN instead.
    HttpClientOptions options = new HttpClientOptions().setVerifyHost(false);
    applyClient(options);
    return options;
  }

  /** Keeps a live server's SVID current; close the handle to stop. */
  public AutoCloseable bind(NetServer server) {
    return svids.onRotation(svid -> reloaded(server.updateSSLOptions(serverSslOptions(), false), "net server"));
  }

  /** Keeps a live HTTP server's SVID current; close the handle to stop. */
  public AutoCloseable bind(HttpServer server) {
    return svids.onRotation(svid -> reloaded(server.updateSSLOptions(serverSslOptions(), false), "http server"));
  }

  /** Keeps a live client's SVID current for new connections; close the handle to stop. */
  public AutoCloseable bind(NetClient client) {
    return svids.onRotation(svid -> reloaded(client.updateSSLOptions(clientSslOptions(), false), "net client"));
  }

  /** Keeps a live HTTP client's SVID current for new connections; close the handle to stop. */
  public AutoCloseable bind(HttpClientAgent client) {
    return svids.onRotation(svid -> reloaded(client.updateSSLOptions(clientSslOptions(), false), "http client"));
  }

  // ---------------------------------------------------------------- Netty

  /**
   * The server context for the current SVID (rebuilt after a rotation): client certificates required and verified by
   * SPIFFE rules, the server ALPN list. Ask again for each connection so rotations apply.
   */
  public SslContext nettyServerContext() {
    return nettyContexts().server();
  }

  /**
   * A client handler that sends {@code sni} verbatim (Istio's {@code outbound_.<port>_.<subset>_.<fqdn>} included),
   * presents the current SVID and accepts the server only if SPIFFE verification passes and its identity satisfies
   * {@code expectedServer} ({@code null}: any identity the bundle accepts).
   */
  public SslHandler newClientHandler(ByteBufAllocator allocator, String sni, int port,
      Predicate<SpiffeId> expectedServer) {
    SSLEngine engine = nettyContexts().client().newEngine(allocator, sni, port);
    if (sni != null) {
      // The JDK's SNIHostName rejects underscores, and Netty then silently sends no SNI; BoringSSL takes it as is.
      SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), sni);
    }
    if (expectedServer != null) {
      expectedServers.put(engine, expectedServer);
    }
    SslHandler handler = new SslHandler(engine);
    handler.handshakeFuture().addListener(done -> expectedServers.remove(engine));
    return handler;
  }

  // ---------------------------------------------------------------- peers

  /** The SPIFFE ID of a TLS session's verified peer (read from its leaf's URI SAN). */
  public static SpiffeId peerIdentity(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new SSLPeerUnverifiedException("peer sent no X.509 certificate");
    }
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> name : leaf.getSubjectAlternativeNames()) {
          if ((Integer) name.get(0) == 6) {
            return SpiffeId.parse((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException | InvalidSpiffeIdException e) {
      throw new SSLPeerUnverifiedException("peer certificate has no valid SPIFFE ID: " + e.getMessage());
    }
    throw new SSLPeerUnverifiedException("peer certificate has no URI SAN");
  }

  // ---------------------------------------------------------------- internals

  private void applyServer(TCPSSLOptions options) {
    ServerSSLOptions ssl = serverSslOptions();
    options.setSsl(true)
        .setSslEngineOptions(new OpenSSLEngineOptions())
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
        .setUseAlpn(!serverAlpn.isEmpty());
  }

  private void applyClient(TCPSSLOptions options) {
    ClientSSLOptions ssl = clientSslOptions();
    options.setSsl(true)
        .setSslEngineOptions(new OpenSSLEngineOptions())
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
        .setUseAlpn(!clientAlpn.isEmpty());
  }

  private static KeyCertOptions keyCert(Svid svid) {
    return new PemKeyCertOptions()
        .setKeyValue(Buffer.buffer(svid.privateKeyPem()))
        .setCertValue(Buffer.buffer(svid.chainPem()));
  }

  private TrustOptions trust(Svid svid, Function<SSLEngine, Predicate<SpiffeId>> perEngine) {
    return TrustOptions.wrap(new SpiffeTrustManager(svid.bundle(), authorizer, perEngine, metrics));
  }

  private NettyContexts nettyContexts() {
    Svid svid = svids.current();
    NettyContexts current = netty.get();
    if (current != null && current.svid() == svid) {
      return current;
    }
    // Two threads may build at once after a rotation; both results are valid and the last one wins.
    NettyContexts built = buildNetty(svid);
    netty.set(built);
    return built;
  }

  private NettyContexts buildNetty(Svid svid) {
    X509Certificate[] chain = svid.chain().toArray(new X509Certificate[0]);
    try {
      SslContextBuilder server = SslContextBuilder.forServer(svid.privateKey(), chain)
          .sslProvider(SslProvider.OPENSSL)
          .trustManager(new SpiffeTrustManager(svid.bundle(), authorizer, null, metrics))
          .clientAuth(clientAuth == ClientAuth.REQUIRED ? io.netty.handler.ssl.ClientAuth.REQUIRE
              : clientAuth == ClientAuth.REQUEST ? io.netty.handler.ssl.ClientAuth.OPTIONAL
              : io.netty.handler.ssl.ClientAuth.NONE)
          .protocols(PROTOCOLS);
      SslContextBuilder client = SslContextBuilder.forClient()
          .sslProvider(SslProvider.OPENSSL)
          .keyManager(svid.privateKey(), chain)
          .trustManager(new SpiffeTrustManager(svid.bundle(), authorizer, expectedServers::get, metrics))
          // SPIFFE verification replaces host-name verification (the SNI is a routing key, not a host).
          .endpointIdentificationAlgorithm(null)
          .protocols(PROTOCOLS);
      if (!serverAlpn.isEmpty()) {
        server.applicationProtocolConfig(alpn(serverAlpn));
      }
      if (!clientAlpn.isEmpty()) {
        client.applicationProtocolConfig(alpn(clientAlpn));
      }
      return new NettyContexts(svid, server.build(), client.build());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build TLS contexts for " + svid.spiffeId(), e);
    }
  }

  private static ApplicationProtocolConfig alpn(List<String> protocols) {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
  }

  private void reloaded(Future<Boolean> update, String what) {
    update.onComplete(result -> {
      metrics.reloaded(result.succeeded());
      if (result.succeeded()) {
        log.debug("{}: TLS options updated for the rotated SVID", what);
      } else {
        log.error("{}: cannot update TLS options; it keeps the previous SVID", what, result.cause());
      }
    });
  }

  /** Builds a {@link MeshTls}; each argument is checked as it arrives. */
  public static final class Builder {
    private final SvidProvider svids;
    private final MeterRegistry registry;
    private List<String> serverAlpn = HTTP_ALPN;
    private List<String> clientAlpn = HTTP_ALPN;
    private ClientAuth clientAuth = ClientAuth.REQUIRED;
    private Predicate<SpiffeId> authorizer = peer -> true;

    private Builder(SvidProvider svids, MeterRegistry registry) {
      this.svids = Objects.requireNonNull(svids, "svids");
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** ALPN protocols a server offers, preferred first (default h2, http/1.1); empty for none. */
    public Builder serverAlpn(List<String> protocols) {
      this.serverAlpn = checkAlpn("serverAlpn", protocols);
      return this;
    }

    /** ALPN protocols a client offers, preferred first (default h2, http/1.1); empty for none. */
    public Builder clientAlpn(List<String> protocols) {
      this.clientAlpn = checkAlpn("clientAlpn", protocols);
      return this;
    }

    /** Whether servers require client certificates (default REQUIRED: mTLS). */
    public Builder clientAuth(ClientAuth clientAuth) {
      this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
      return this;
    }

    /** Which verified identities endpoints accept (default: every identity the bundle accepts). */
    public Builder authorizePeers(Predicate<SpiffeId> authorizer) {
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    public MeshTls build() {
      return new MeshTls(this);
    }

    private static List<String> checkAlpn(String name, List<String> protocols) {
      Objects.requireNonNull(protocols, name);
      for (String protocol : protocols) {
        if (protocol == null || protocol.isEmpty() || protocol.length() > 255) {
          throw new IllegalArgumentException(name + ": " + protocols
              + " (expected: protocol ids of 1 to 255 bytes, RFC 7301 section 3.1)");
        }
      }
      return List.copyOf(protocols);
    }
  }
}
