package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.codec.PendingMethods;
import io.meshfed.gateway.l7.codec.ResponseEncoder;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Installs the handlers that serve a connection once its filter chain is chosen. Event loop only. */
final class DownstreamPipelines {

  private static final Logger LOG = LoggerFactory.getLogger(DownstreamPipelines.class);
  private static final ByteBuf H2_PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  // Envoy's automatic codec choice takes HTTP/2 on this much of the preface ("PRI * HTTP/2"); the HTTP/2 codec checks
  // the rest, and its idle timeout, not the HTTP/1.1 headers timeout, bounds a client that stalls inside it.
  private static final int H2_MAGIC_PREFIX = 12;

  private DownstreamPipelines() {
  }

  /** Serves {@code channel} with {@code chain}; {@code sni} from the ClientHello (empty when none). */
  static void serve(Channel channel, ListenerRuntime listener, FilterChainSpec chain, String sni) {
    ConnectionContext connection = new ConnectionContext(listener.name(), chain,
        (InetSocketAddress) channel.remoteAddress(), (InetSocketAddress) channel.localAddress(), sni);
    listener.track(channel, connection);
    DataPlane dataPlane = listener.dataPlane();
    ChannelPipeline pipeline = channel.pipeline();
    if (chain.tcp() != null) {
      pipeline.addLast("tcp-proxy", dataPlane.tcpProxy(connection, chain.tcp()));
      return;
    }
    if (chain.tls() == null) {
      // The guard's timers run from the connection's start: a client that stalls before its protocol is known, or
      // whose reset the transport never reports, is closed by the headers or idle timeout like any other.
      pipeline.addLast("guard", guard(connection, dataPlane));
      pipeline.addLast("protocol-detector", new PlaintextDetector(connection, dataPlane));
      return;
    }
    SslContext context;
    try {
      context = listener.tlsContexts().acquire(chain.tls(), true, dataPlane.secrets());
    } catch (TlsContextFactory.TlsUnavailableException e) {
      LOG.warn("listener {} chain {}: closing a TLS connection: {}", listener.name(), chain.name(),
          e.getMessage());
      channel.close();
      return;
    }
    try {
      pipeline.addLast("tls", TlsContextFactory.serverHandler(context, channel.alloc(),
          dataPlane.tlsSessionResumption()));
    } finally {
      // The engine holds its own reference now.
      ReferenceCountUtil.release(context);
    }
    pipeline.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
      @Override
      protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        X509Certificate peer = null;
        // Only ask when a certificate was requested: the answer "none" is an exception, and filling in its stack
        // trace on every handshake costs handshakes per second.
        if (ssl.engine().getNeedClientAuth() || ssl.engine().getWantClientAuth()) {
          try {
            Certificate[] certificates = ssl.engine().getSession().getPeerCertificates();
            if (certificates.length > 0 && certificates[0] instanceof X509Certificate x509) {
              peer = x509;
            }
          } catch (SSLPeerUnverifiedException e) {
            peer = null;
          }
        }
        connection.markTls(peer, principal(peer));
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
          http2(ctx.channel(), connection, dataPlane);
        } else {
          http1(ctx.channel(), connection, dataPlane);
        }
      }

      @Override
      protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        closeOnError(ctx, listener.name(), "TLS handshake", cause);
      }

      // Netty's default logs a WARN and passes the error on to the pipeline's tail (a second WARN) for what is,
      // nearly always, a client that reset mid-handshake.
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeOnError(ctx, listener.name(), "TLS handshake", cause);
      }
    });
  }

  /**
   * Closes a connection on an error that reached the last handler able to take it, during the ClientHello, the TLS
   * handshake or protocol detection: nothing after the setup handler would handle it.
   */
  static void closeOnError(ChannelHandlerContext ctx, String listener, String phase, Throwable cause) {
    logFailure(ctx, listener, phase, cause);
    ctx.close();
  }

  /**
   * Logs a connection's failure. An I/O, TLS or HTTP/2 protocol failure (a peer that reset, a failed handshake, bytes
   * that are no frame) is the client's doing and logged at debug, like Envoy's connection-level failures: a flood of
   * WARNs would hide the ones that matter. A failure with an error or a runtime exception among its causes (a trust
   * manager that threw inside a handshake, say; not one that only wraps a certificate the JDK cannot parse), or an
   * HTTP/2 INTERNAL_ERROR, is a defect here and logged as one.
   */
  static void logFailure(ChannelHandlerContext ctx, String listener, String phase, Throwable cause) {
    if (clientCaused(cause)) {
      LOG.debug("listener {}: {} with {} failed: {}", listener, phase, ctx.channel().remoteAddress(),
          cause.toString());
    } else {
      LOG.warn("listener {}: {} with {} failed; closing the connection", listener, phase,
          ctx.channel().remoteAddress(), cause);
    }
  }

  private static boolean clientCaused(Throwable cause) {
    boolean client = false;
    boolean http2Protocol = false;
    // Bounded: a cause chain can be made into a loop.
    Throwable t = cause;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof Error) {
        return false;
      }
      if (t instanceof Http2Exception http2) {
        if (http2.error() == Http2Error.INTERNAL_ERROR) {
          return false;
        }
        // Netty has judged the peer's frames; a runtime exception below is its parsing detail (only an Error is not).
        http2Protocol = true;
        client = true;
      } else if (t instanceof RuntimeException && !(t instanceof CodecException) && !http2Protocol
          && !(t.getCause() instanceof CertificateException)) {
        return false;
      }
      client |= t instanceof IOException || t instanceof CertificateException;
    }
    return client;
  }

  /** The SPIFFE id (first URI SAN) of a client certificate, else its subject. */
  static String principal(X509Certificate certificate) {
    if (certificate == null) {
      return "";
    }
    try {
      var sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if ((Integer) san.get(0) == 6) {
            return String.valueOf(san.get(1));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      LOG.debug("unreadable client certificate SANs: {}", e.getMessage());
    }
    return certificate.getSubjectX500Principal().getName();
  }

  static void http1(Channel channel, ConnectionContext connection, DataPlane dataPlane) {
    connection.protocol("HTTP/1.1");
    ChannelPipeline pipeline = channel.pipeline();
    // Plaintext connections have had their guard since they were accepted; after TLS it starts here.
    Http1ConnectionGuard guard = pipeline.get(Http1ConnectionGuard.class);
    if (guard == null) {
      guard = guard(connection, dataPlane);
      pipeline.addLast("guard", guard);
    }
    PendingMethods pending = new PendingMethods();
    StrictRequestDecoder decoder = new StrictRequestDecoder(connection.chain().http().maxRequestHeadersBytes(),
        pending);
    guard.watch(decoder);
    pipeline.addLast("decoder", decoder);
    pipeline.addLast("encoder", new ResponseEncoder(pending));
    pipeline.addLast("http", dataPlane.httpStream(connection));
  }

  /** The HTTP/1.1 connection's headers and idle timers, from the chain's connection manager. */
  private static Http1ConnectionGuard guard(ConnectionContext connection, DataPlane dataPlane) {
    HttpManagerSpec http = connection.chain().http();
    long headersTimeout = http.requestHeadersTimeout() == null
        ? dataPlane.limits().defaultRequestHeadersTimeout().toMillis() : http.requestHeadersTimeout().toMillis();
    return new Http1ConnectionGuard(connection, dataPlane, headersTimeout, millis(http.streamIdleTimeout()),
        millis(http.idleTimeout()));
  }

  /** A timeout in milliseconds; 0 (none) for a null one, as the specs leave a disabled timeout. */
  private static long millis(Duration timeout) {
    return timeout == null ? 0 : timeout.toMillis();
  }

  static void http2(Channel channel, ConnectionContext connection, DataPlane dataPlane) {
    connection.protocol("HTTP/2");
    HttpManagerSpec http = connection.chain().http();
    Http2ConnectionWatcher watcher = new Http2ConnectionWatcher(connection.listener(), millis(http.idleTimeout()));
    Http2Settings settings = Http2Settings.defaultSettings()
        .maxConcurrentStreams(dataPlane.limits().maxConcurrentStreams())
        .maxHeaderListSize(http.maxRequestHeadersBytes());
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(Http1ConnectionGuard.class) != null) {
      // h2c with prior knowledge: the guard watched the preface; HTTP/2 has its own idle watcher and stream limits.
      pipeline.remove(Http1ConnectionGuard.class);
    }
    pipeline.addLast("h2", Http2FrameCodecBuilder.forServer().initialSettings(settings).validateHeaders(true)
        .build());
    pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        watcher.streamOpened();
        stream.closeFuture().addListener(closed -> watcher.streamClosed());
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), dataPlane.httpStream(connection));
      }
    }));
    pipeline.addLast("h2-watcher", watcher);
  }

  /** Tells an HTTP/2 connection to go away (drain); no-op for HTTP/1.1 (responses carry Connection: close). */
  static void drain(Channel channel) {
    Http2ConnectionWatcher watcher = channel.pipeline().get(Http2ConnectionWatcher.class);
    if (watcher != null) {
      watcher.goAway();
    }
  }

  /**
   * Plaintext HTTP: HTTP/2 with prior knowledge when the client starts with the connection preface's first 12 bytes
   * (h2c, RFC 9113 §3.3; the HTTP/2 codec checks the rest), HTTP/1.1 otherwise. Anything that is neither fails
   * HTTP/1.1 decoding and gets 400, or HTTP/2's preface check and gets GOAWAY.
   */
  static final class PlaintextDetector extends ByteToMessageDecoder {
    private final ConnectionContext connection;
    private final DataPlane dataPlane;

    PlaintextDetector(ConnectionContext connection, DataPlane dataPlane) {
      this.connection = connection;
      this.dataPlane = dataPlane;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int length = Math.min(in.readableBytes(), H2_MAGIC_PREFIX);
      boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), H2_PREFACE, 0, length);
      if (prefix && length < H2_MAGIC_PREFIX) {
        return;
      }
      if (prefix) {
        http2(ctx.channel(), connection, dataPlane);
      } else {
        http1(ctx.channel(), connection, dataPlane);
      }
      ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeOnError(ctx, connection.listener(), "protocol detection", cause);
    }
  }
}
