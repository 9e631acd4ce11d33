package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.codec.PendingMethods;
import io.meshfed.gateway.l7.codec.RequestEncoder;
import io.meshfed.gateway.l7.codec.ResponseDecoder;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one event loop to one host of one cluster: HTTP/1.1 connections (one request at a time, idle
 * ones reused last-in first-out) and HTTP/2 connections (multiplexed), plus the requests waiting for a connection.
 * Circuit breakers are the cluster's, shared by all event loops. Event-loop confined.
 */
final class HostPool {

  private final EventLoop loop;
  private final ClusterRuntime cluster;
  private final Host host;
  private final Upstreams upstreams;
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
  private final List<Http2Connection> http2 = new ArrayList<>();
  private final ArrayDeque<PendingStream> pending = new ArrayDeque<>();
  private int connecting;
  private int open;
  private boolean closing;

  HostPool(EventLoop loop, ClusterRuntime cluster, Host host, Upstreams upstreams) {
    this.loop = loop;
    this.cluster = cluster;
    this.host = host;
    this.upstreams = upstreams;
  }

  Host host() {
    return host;
  }

  long idleTimeoutMillis() {
    var idleTimeout = cluster.spec().idleTimeout();
    return idleTimeout == null ? 0 : idleTimeout.toMillis();
  }

  /** True when the pool holds nothing: it may be dropped. */
  boolean empty() {
    return open == 0 && connecting == 0 && pending.isEmpty();
  }

  /**
   * Asks for a stream. The callback runs now (an idle HTTP/1.1 connection or HTTP/2 capacity), later (when a
   * connection is ready), or with a failure (overflow, connect failure).
   *
   * @return a handle to cancel waiting, or null when the callback already ran
   */
  PendingStream acquire(StreamListener listener, StreamCallback callback) {
    for (Http2Connection connection : http2) {
      if (connection.hasCapacity()) {
        connection.open(listener, callback);
        return null;
      }
    }
    while (!idle.isEmpty()) {
      Http1Connection connection = idle.pollLast();
      if (connection.isActive()) {
        connection.assign(listener);
        callback.onStream(connection);
        return null;
      }
    }
    if (!cluster.breakers().tryPending()) {
      callback.onFailure(new UpstreamFailure(UpstreamFailure.Kind.OVERFLOW,
          "max_pending_requests reached for cluster " + cluster.spec().name()));
      return null;
    }
    PendingStream waiting = new PendingStream(this, listener, callback);
    pending.add(waiting);
    connectIfNeeded();
    return waiting;
  }

  void cancelled(PendingStream waiting) {
    if (pending.remove(waiting)) {
      cluster.breakers().releasePending();
    }
  }

  private PendingStream nextPending() {
    PendingStream next = pending.poll();
    if (next != null) {
      next.done = true;
      cluster.breakers().releasePending();
    }
    return next;
  }

  private void connectIfNeeded() {
    boolean expectHttp2 = cluster.spec().http2();
    int wanted = expectHttp2 ? (connecting == 0 && !pending.isEmpty() ? 1 : 0) : pending.size() - connecting;
    for (int i = 0; i < wanted; i++) {
      // max_connections: without a slot the request waits for a connection of this pool to free up, as in Envoy.
      if (!cluster.breakers().tryConnection()) {
        return;
      }
      connect();
    }
  }

  private void connect() {
    connecting++;
    SslContext tls;
    try {
      tls = host.tls() == null ? null : upstreams.acquireClientContext(cluster, host.tls());
    } catch (TlsContextFactory.TlsUnavailableException e) {
      connectFailed("TLS unavailable: " + e.getMessage());
      return;
    }
    long connectTimeout = cluster.spec().connectTimeout().toMillis();
    Bootstrap bootstrap = new Bootstrap().group(loop).channel(upstreams.transport().channel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            if (tls != null) {
              SslHandler handler = UpstreamTls.newHandler(tls, channel, host.tls().sni(), host.address().getPort());
              handler.setHandshakeTimeoutMillis(connectTimeout);
              channel.pipeline().addLast("tls", handler);
            }
          }
        });
    ChannelFuture connected = bootstrap.connect(host.address());
    connected.addListener(future -> {
      // initChannel ran at registration, before the connect completed: the engine, if any, holds its own reference.
      ReferenceCountUtil.release(tls);
      if (!future.isSuccess()) {
        connectFailed("connect to " + host.hostPort() + " failed: " + future.cause().getMessage());
        return;
      }
      Channel channel = connected.channel();
      SslHandler ssl = channel.pipeline().get(SslHandler.class);
      if (ssl == null) {
        ready(channel, cluster.spec().http2() ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1);
        return;
      }
      ssl.handshakeFuture().addListener(handshake -> {
        if (!handshake.isSuccess()) {
          channel.close();
          connectFailed("TLS handshake with " + host.hostPort() + " (SNI " + host.tls().sni() + ") failed: "
              + handshake.cause().getMessage());
        } else {
          String protocol = ssl.applicationProtocol();
          ready(channel, protocol == null ? (cluster.spec().http2() ? ApplicationProtocolNames.HTTP_2
              : ApplicationProtocolNames.HTTP_1_1) : protocol);
        }
      });
    });
  }

  private void connectFailed(String detail) {
    connecting--;
    cluster.breakers().releaseConnection();
    // The requests waiting for this connection fail with it (Envoy fails pending requests on connect failure).
    int toFail = cluster.spec().http2() ? pending.size() : Math.min(1, pending.size());
    for (int i = 0; i < toFail; i++) {
      PendingStream waiting = nextPending();
      waiting.callback.onFailure(new UpstreamFailure(UpstreamFailure.Kind.CONNECT_FAILURE, detail));
    }
  }

  private void ready(Channel channel, String protocol) {
    connecting--;
    open++;
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      Http2Connection connection = new Http2Connection(this, channel, cluster.spec().maxRequestsPerConnection());
      channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(Http2Settings.defaultSettings())
          .build());
      channel.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
      channel.pipeline().addLast(connection);
      http2.add(connection);
      h2Capacity(connection);
    } else {
      Http1Connection connection = new Http1Connection(this, channel);
      PendingMethods pending = new PendingMethods();
      channel.pipeline().addLast("http-decoder", new ResponseDecoder(pending));
      channel.pipeline().addLast("http-encoder", new RequestEncoder(pending));
      channel.pipeline().addLast(connection);
      released(connection, true);
    }
  }

  /** An HTTP/1.1 connection finished an exchange. */
  void released(Http1Connection connection, boolean keepAlive) {
    long max = cluster.spec().maxRequestsPerConnection();
    if (!keepAlive || closing || cluster.retired() || !connection.isActive()
        || (max > 0 && connection.served() >= max)) {
      connection.close();
      return;
    }
    PendingStream next = nextPending();
    if (next != null) {
      connection.assign(next.listener);
      next.callback.onStream(connection);
    } else {
      idle.addLast(connection);
      connection.startIdleTimer(idleTimeoutMillis());
    }
  }

  void h2Capacity(Http2Connection connection) {
    while (!pending.isEmpty() && connection.hasCapacity()) {
      PendingStream next = nextPending();
      connection.open(next.listener, next.callback);
    }
  }

  void h2StreamClosed(Http2Connection connection) {
    h2Capacity(connection);
    if ((closing || cluster.retired()) && connection.idle()) {
      connection.close();
    }
  }

  void h2GoingAway(Http2Connection connection) {
    connectIfNeeded();
  }

  /** An upgraded connection left HTTP: it no longer counts against the pool or the cluster's connections. */
  void detached(Http1Connection connection) {
    idle.remove(connection);
    open--;
    cluster.breakers().releaseConnection();
  }

  void closed(Http1Connection connection) {
    idle.remove(connection);
    open--;
    cluster.breakers().releaseConnection();
    connectIfNeeded();
  }

  void closed(Http2Connection connection) {
    if (http2.remove(connection)) {
      open--;
      cluster.breakers().releaseConnection();
    }
    connectIfNeeded();
  }

  /** Closes idle connections now and the rest when their exchanges end (cluster retired or engine closing). */
  void closeGracefully() {
    closing = true;
    while (!idle.isEmpty()) {
      idle.poll().close();
    }
    for (Http2Connection connection : List.copyOf(http2)) {
      if (connection.idle()) {
        connection.close();
      }
    }
  }
}
