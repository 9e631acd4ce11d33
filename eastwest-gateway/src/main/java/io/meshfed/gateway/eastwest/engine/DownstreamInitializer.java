package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.hello.ClientHelloDecoder;
import io.meshfed.gateway.eastwest.hello.InspectionTimeout;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Starts every accepted connection of one listener: reads the published snapshot once (the connection keeps it),
 * opens its record, and installs inspection (tls_inspector with its timeout) and chain selection.
 */
final class DownstreamInitializer extends ChannelInitializer<Channel> {

  private final Engine engine;
  private final String listenerName;

  DownstreamInitializer(Engine engine, String listenerName) {
    this.engine = engine;
    this.listenerName = listenerName;
  }

  @Override
  protected void initChannel(Channel channel) {
    EngineServices services = engine.services();
    Downstream record = new Downstream(channel, listenerName, services.counters(), services.observer());
    channel.attr(Downstream.KEY).set(record);
    GatewayRuntime runtime = engine.current();
    ListenerRuntime listener = runtime.listener(listenerName);
    if (listener == null || !engine.track(channel)) {
      channel.close();
      return;
    }
    if (listener.config().inspectsTls()) {
      channel.pipeline().addLast("hello", new ClientHelloDecoder(services.maxHelloBytes()));
      channel.pipeline().addLast("hello-timeout", new InspectionTimeout(listener.config().inspectionTimeout()));
    }
    channel.pipeline().addLast("select", new FilterChainSelector(runtime, listener, services));
  }
}
