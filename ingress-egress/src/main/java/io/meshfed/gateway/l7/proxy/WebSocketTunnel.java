package io.meshfed.gateway.l7.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Turns a WebSocket upgrade into a byte tunnel once the upstream answers 101, as Envoy's {@code upgrade_configs}
 * do: the 101 goes to the client, then both connections leave HTTP and their bytes are relayed until either side
 * closes, or until no byte crosses it for the stream idle timeout (as in Envoy, where the upgraded stream keeps that
 * timeout; the outcome then carries SI). The request's outcome is reported when the tunnel closes.
 */
final class WebSocketTunnel implements Relay.Listener {

  private final Exchange exchange;
  private Relay fromClient;
  private long fromClientBytes = -1;
  private long fromUpstreamBytes = -1;

  private WebSocketTunnel(Exchange exchange) {
    this.exchange = exchange;
  }

  /**
   * Relays both connections from now on; with {@code idleNanos} above 0 (the stream idle timeout), the tunnel is
   * closed once no byte has crossed it either way for that long.
   */
  static void open(Exchange exchange, HttpResponse switching, Attempt attempt, long idleNanos) {
    WebSocketTunnel tunnel = new WebSocketTunnel(exchange);
    Channel client = exchange.downstream.channel();
    Channel upstream = attempt.stream().channel();
    Relay fromUpstream = new Relay(client, tunnel);
    tunnel.fromClient = new Relay(upstream, tunnel);
    // Each side's encoder goes before the other side's decoder: removing a decoder hands the bytes read after the
    // message it decoded (a first frame in the same read as the 101, a client's frame right after its request) to its
    // relay at once, and an HTTP encoder on the other side would refuse them. The 101 goes out before either.
    client.writeAndFlush(switching);
    ChannelPipeline pipeline = client.pipeline();
    pipeline.replace("http", "relay", tunnel.fromClient);
    if (idleNanos > 0) {
      // On the client's side it sees every byte: those read from the client, and the upstream's written to it.
      pipeline.addBefore("relay", "idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    }
    pipeline.remove("encoder");
    pipeline.remove("guard");
    attempt.stream().upgrade(fromUpstream);
    pipeline.remove("decoder");
    client.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
  }

  @Override
  public void idle(Relay side) {
    exchange.tunnelIdle();
  }

  @Override
  public void closed(Relay side, long bytes) {
    if (side == fromClient) {
      fromClientBytes = bytes;
    } else {
      fromUpstreamBytes = bytes;
    }
    if (fromClientBytes >= 0 && fromUpstreamBytes >= 0) {
      exchange.tunnelClosed(fromClientBytes, fromUpstreamBytes);
    }
  }
}
