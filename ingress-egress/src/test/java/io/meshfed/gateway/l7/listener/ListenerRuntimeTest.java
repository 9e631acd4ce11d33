package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a listener takes a new connection, for the connection states a socket client cannot time reliably. */
class ListenerRuntimeTest {

  private final FilterChainSpec plaintext = new FilterChainSpec("plain", List.of(), "", null, null, null);
  private final ListenerRuntime listener = new ListenerRuntime(
      new ListenerSpec("0.0.0.0_8080", "127.0.0.1", 0, false, List.of(plaintext), null), new NothingServed());

  @Test
  void closesAConnectionResetBeforeItWasAccepted() {
    // getpeername fails on a socket whose client reset while it sat in the accept queue: no peer address.
    EmbeddedChannel reset = new EmbeddedChannel() {
      @Override
      protected SocketAddress localAddress0() {
        return new InetSocketAddress("127.0.0.1", 8080);
      }

      @Override
      protected SocketAddress remoteAddress0() {
        return null;
      }
    };

    listener.accept(reset);

    assertThat(reset.isOpen()).isFalse();
    assertThat(listener.openConnections()).isZero();
    reset.checkException();
  }

  /** The data plane of a listener whose connections never reach the point of being served. */
  private static final class NothingServed implements DataPlane {
    @Override
    public ChannelHandler httpStream(ConnectionContext connection) {
      return new ChannelInboundHandlerAdapter();
    }

    @Override
    public ChannelHandler tcpProxy(ConnectionContext connection, TcpProxySpec spec) {
      return new ChannelInboundHandlerAdapter();
    }

    @Override
    public void headersTimedOut(ConnectionContext connection, HeadersTimeout timeout) {
    }

    @Override
    public Map<String, SecretSpec> secrets() {
      return Map.of();
    }

    @Override
    public HygieneLimits limits() {
      return HygieneLimits.DEFAULTS;
    }

    @Override
    public boolean tlsSessionResumption() {
      return false;
    }
  }
}
