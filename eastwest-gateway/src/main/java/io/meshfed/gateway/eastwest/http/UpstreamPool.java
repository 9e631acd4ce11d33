package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.upstream.Host;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle HTTP/1.1 upstream connections of one event loop, by cluster, address and TLS context (a rotated certificate
 * gives a new context, so old connections are simply not reused and idle out). Only its own event loop touches it.
 */
final class UpstreamPool {

  /** Idle upstream connections close after this long (bounded so rotated and drained ones do not linger). */
  static final long IDLE_TIMEOUT_SECONDS = 60;
  static final int MAX_IDLE_PER_KEY = 64;

  private record Key(String cluster, InetSocketAddress address, Object tls, String sni) {
  }

  private final Map<Key, ArrayDeque<Channel>> idle = new HashMap<>();

  private static Key key(String cluster, Host host) {
    return new Key(cluster, host.address(), host.httpTls(), host.sni());
  }

  /** An idle, still open connection to the host, or {@code null}. */
  Channel poll(String cluster, Host host) {
    ArrayDeque<Channel> channels = idle.get(key(cluster, host));
    if (channels == null) {
      return null;
    }
    for (Channel channel = channels.pollFirst(); channel != null; channel = channels.pollFirst()) {
      UpstreamResponseHandler handler = channel.pipeline().get(UpstreamResponseHandler.class);
      if (channel.isActive() && handler != null) {
        handler.takenFromPool();
        return channel;
      }
    }
    return null;
  }

  /** Parks a connection whose exchange completed cleanly; closes it if the pool for its key is full. */
  void offer(String cluster, Host host, Channel channel) {
    UpstreamResponseHandler handler = channel.pipeline().get(UpstreamResponseHandler.class);
    ArrayDeque<Channel> channels = idle.computeIfAbsent(key(cluster, host), k -> new ArrayDeque<>());
    if (handler == null || channels.size() >= MAX_IDLE_PER_KEY || !channel.isActive()) {
      channel.close();
      return;
    }
    channels.addFirst(channel);
    Key key = key(cluster, host);
    handler.parked(channel.eventLoop().schedule((Runnable) channel::close, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS),
        () -> {
          ArrayDeque<Channel> current = idle.get(key);
          if (current != null) {
            current.remove(channel);
            if (current.isEmpty()) {
              idle.remove(key);
            }
          }
        });
  }
}
