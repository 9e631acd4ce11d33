package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.netty.channel.ChannelHandler;
import java.util.Map;

/** What listeners need from the rest of the engine: the handlers that serve a connection's traffic. */
public interface DataPlane {

  /** A handler for one HTTP stream channel: an HTTP/1.1 connection, or one HTTP/2 stream. */
  ChannelHandler httpStream(ConnectionContext connection);

  /** A handler that proxies the connection's bytes to the TCP proxy's cluster (SNI passthrough). */
  ChannelHandler tcpProxy(ConnectionContext connection, TcpProxySpec spec);

  /** Reports a connection whose request headers did not complete in time (answered 408 by the listener). */
  void headersTimedOut(ConnectionContext connection, HeadersTimeout timeout);

  /** The secrets of the snapshot now serving. */
  Map<String, SecretSpec> secrets();

  /** The hygiene limits. */
  HygieneLimits limits();

  /** Whether downstream TLS sessions may be resumed (tickets, session cache). */
  boolean tlsSessionResumption();
}
