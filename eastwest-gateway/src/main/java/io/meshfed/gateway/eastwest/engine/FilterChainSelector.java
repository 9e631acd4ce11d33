package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.config.FilterChainConfig;
import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.meshfed.gateway.eastwest.config.TcpProxyTarget;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.hello.HelloEvent;
import io.meshfed.gateway.eastwest.tcp.TcpProxyHandler;
import io.meshfed.gateway.eastwest.terminate.PeerAuthorizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.util.List;

/**
 * Chooses the connection's filter chain from what inspection found (SNI, ALPN, TLS or not) and builds the rest of the
 * pipeline for it: passthrough → {@link TcpProxyHandler}; terminate → SslHandler + {@link PeerAuthorizer}, whose
 * admitted connections continue with the chain's target; plaintext HTTP → the HTTP frontend. No match rejects the
 * connection with the reason the match failed on. Replaces itself.
 */
final class FilterChainSelector extends ChannelInboundHandlerAdapter {

  private final GatewayRuntime runtime;
  private final ListenerRuntime listener;
  private final EngineServices services;

  FilterChainSelector(GatewayRuntime runtime, ListenerRuntime listener, EngineServices services) {
    this.runtime = runtime;
    this.listener = listener;
    this.services = services;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    if (!listener.config().inspectsTls()) {
      select(ctx, HelloEvent.PLAINTEXT);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof HelloEvent hello) {
      select(ctx, hello);
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  private void select(ChannelHandlerContext ctx, HelloEvent event) {
    Downstream record = Downstream.of(ctx.channel());
    record.serverName(event.serverName());
    List<String> alpn = event.tls() ? event.hello().applicationProtocols() : List.of();
    ChainIndex.Selection selection = listener.index().select(event.tls(), event.serverName(), alpn);
    if (selection.chain() == null) {
      String detail = "no filter chain of listener " + listener.config().name() + " matches "
          + (event.tls() ? "server name '" + event.serverName() + "' with ALPN " + alpn : "plaintext");
      record.reject(selection.reason(), detail);
      return;
    }
    ChainRuntime chain = selection.chain();
    FilterChainConfig config = chain.config();
    record.chain(config.displayName(), chain.mode());
    if (!config.ready()) {
      record.reject(RejectReason.NOT_READY, "filter chain " + config.displayName() + " waits for " + config.missing());
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    String self = ctx.name();
    if (config.terminatesTls()) {
      pipeline.addAfter(self, "tls", chain.serverContext().newHandler(ctx.alloc()));
      pipeline.addAfter("tls", "authorize", new PeerAuthorizer(config.tls().requireClientCertificate(),
          config.rbac(), () -> target(ctx.channel(), chain)));
    } else {
      pipeline.addAfter(self, "target", target(ctx.channel(), chain));
    }
    pipeline.remove(this);
  }

  private ChannelHandler target(Channel channel, ChainRuntime chain) {
    if (chain.config().target() instanceof TcpProxyTarget tcp) {
      return new TcpProxyHandler(tcp, runtime.cluster(tcp.cluster()), services.connector(),
          !chain.config().terminatesTls());
    }
    HttpTarget http = (HttpTarget) chain.config().target();
    return services.http().frontend(http, chain.mode() == Mode.TERMINATE_HTTP, listener.config().name());
  }
}
