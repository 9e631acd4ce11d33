package io.meshfed.gateway.l7.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.gateway.IoTransport;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

  /** An io_uring whose rings cannot be set up, as under a locked-memory limit too small for them. */
  private static Transport refusing(String name) {
    IoHandlerFactory noRing = executor -> {
      throw new IllegalStateException("failed to create io_uring ring fd Cannot allocate memory");
    };
    return new Transport(name, noRing, NioServerSocketChannel.class, NioSocketChannel.class);
  }

  @Test
  void anIoUringThatCannotSetUpItsRingsGivesWayToTheFallback() throws Exception {
    EventLoops loops = EventLoops.start(refusing(Transport.IO_URING), () -> Transport.detect(IoTransport.NIO), 2);
    try {
      assertThat(loops.transport().name()).isEqualTo("nio");
      assertThat(loops.group().submit(() -> "ran").get(5, TimeUnit.SECONDS)).isEqualTo("ran");
    } finally {
      loops.group().shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void otherTransportsFailAsTheyAre() {
    assertThatThrownBy(() -> EventLoops.start(refusing("epoll"), () -> Transport.detect(IoTransport.NIO), 1))
        .hasRootCauseMessage("failed to create io_uring ring fd Cannot allocate memory");
  }
}
