package io.meshfed.gateway.l7.listener;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound listener: its server channel, the spec new connections are served with (replaced on each LDS update
 * without rebinding, so established connections keep the chain they started with), its TLS contexts and the open
 * connections (for draining).
 */
final class ListenerRuntime {

  static final AttributeKey<ConnectionContext> CONNECTION = AttributeKey.valueOf("meshfed.connection");
  private static final Logger LOG = LoggerFactory.getLogger(ListenerRuntime.class);

  private final String name;
  private final DataPlane dataPlane;
  private final ServerTlsContexts tlsContexts;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private volatile ListenerSpec spec;
  private volatile boolean draining;
  private Channel server;

  ListenerRuntime(ListenerSpec spec, DataPlane dataPlane) {
    this.name = spec.name();
    this.spec = spec;
    this.dataPlane = dataPlane;
    this.tlsContexts = new ServerTlsContexts(dataPlane.tlsSessionResumption());
  }

  String name() {
    return name;
  }

  ListenerSpec spec() {
    return spec;
  }

  void spec(ListenerSpec updated) {
    spec = updated;
  }

  DataPlane dataPlane() {
    return dataPlane;
  }

  ServerTlsContexts tlsContexts() {
    return tlsContexts;
  }

  void server(Channel channel) {
    server = channel;
  }

  Channel server() {
    return server;
  }

  /** A new connection: sniff the ClientHello first when a chain needs it, else serve the plaintext chain. */
  void accept(Channel channel) {
    // Asked now, the answer is kept for the connection's life. A client that reset while its connection waited to be
    // accepted has no peer address any more (getpeername fails): nothing to serve, and nothing to report.
    if (channel.remoteAddress() == null) {
      LOG.debug("listener {}: a connection was reset while it waited to be accepted; closing", name());
      channel.close();
      return;
    }
    connections.add(channel);
    ListenerSpec current = spec;
    if (current.needsSniffing()) {
      channel.pipeline().addLast("tls-inspector", new ClientHelloSniffer(this));
      return;
    }
    FilterChainSpec chain = current.select(false, "");
    if (chain == null) {
      channel.close();
      return;
    }
    DownstreamPipelines.serve(channel, this, chain, "");
  }

  void track(Channel channel, ConnectionContext connection) {
    channel.attr(CONNECTION).set(connection);
    if (draining) {
      connection.drain();
    }
  }

  /** Marks every connection draining: HTTP/2 gets GOAWAY, HTTP/1.1 responses close their connection. */
  void drain() {
    draining = true;
    for (Channel channel : connections) {
      channel.eventLoop().execute(() -> {
        ConnectionContext connection = channel.attr(CONNECTION).get();
        if (connection != null) {
          connection.drain();
        }
        DownstreamPipelines.drain(channel);
      });
    }
  }

  int openConnections() {
    return connections.size();
  }

  ChannelGroup connections() {
    return connections;
  }

  void closeTls() {
    tlsContexts.close();
  }
}
