package io.meshfed.gateway.l7.upstream;

import io.meshfed.gateway.l7.cluster.Host;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/** One request/response exchange on an upstream connection (an HTTP/1.1 connection, or an HTTP/2 stream). */
public interface UpstreamStream {

  /** Writes request parts (head, body chunks, the last chunk); flush with {@link #flush()}. */
  void write(HttpObject part);

  /** Flushes written parts. */
  void flush();

  /** False while the connection's outbound buffer is above its high-water mark. */
  boolean isWritable();

  /** Stops or resumes reading the response (backpressure from the downstream). */
  void setAutoRead(boolean autoRead);

  /** Abandons the exchange: an HTTP/1.1 connection is closed, an HTTP/2 stream is reset. Idempotent. */
  void reset();

  /** The host this stream goes to. */
  Host host();

  /** True for HTTP/2. */
  boolean http2();

  /** The channel the bytes travel on (the connection, or the HTTP/2 stream channel). */
  Channel channel();

  /**
   * After a {@code 101 Switching Protocols}: takes the connection out of its pool and out of HTTP, leaving
   * {@code relay} as the handler that receives its bytes from now on (HTTP/1.1 only).
   */
  void upgrade(io.netty.channel.ChannelHandler relay);
}
