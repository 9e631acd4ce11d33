package io.meshfed.gateway.eastwest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LingeringClose} over loopback TCP with more bytes either way than the kernel's buffers hold (a send buffer
 * grows to 4 MiB at most): the forwarder's situation when an upstream answered an upload early with a large body
 * while reading from the client was paused for backpressure.
 */
class LingeringCloseTest {

  private static final int RESPONSE = 16 << 20;
  private static final int UPLOAD = 16 << 20;

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
  private Channel server;

  @BeforeEach
  void listen() throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            accepted.add(channel);
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterEach
  void close() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Reads until the end of the stream; returns how many bytes came. */
  private static long readToEnd(InputStream in) throws Exception {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
      total += read;
    }
    return total;
  }

  @Test
  void aClientWritingItsWholeUploadBeforeReadingGetsAResponseSentWhileReadingWasPaused() throws Exception {
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(16 * 1024);
      client.setSoTimeout(10_000);
      client.connect(server.localAddress());
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      channel.eventLoop().submit(() -> {
        // Reading paused (an upstream not writable), and the close asked with the response still to leave.
        channel.config().setAutoRead(false);
        channel.write(Unpooled.wrappedBuffer(new byte[RESPONSE]));
        LingeringClose.afterResponse(channel);
      }).sync();

      // A blocking client: all of its upload, then the response. Unread, the upload would stop once the buffers on the
      // way were full, the response would never leave, and the close would reset both after 1 s.
      OutputStream out = client.getOutputStream();
      byte[] part = new byte[64 * 1024];
      for (int sent = 0; sent < UPLOAD; sent += part.length) {
        out.write(part);
      }
      assertThat(readToEnd(client.getInputStream())).isEqualTo(RESPONSE);
    }
  }

  @Test
  void aSecondCloseOnAClosingConnectionDoesNothing() throws Exception {
    try (Socket client = new Socket()) {
      client.connect(server.localAddress());
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      channel.eventLoop().submit(() -> {
        LingeringClose.afterResponse(channel);
        LingeringClose.afterResponse(channel);
      }).sync();

      // One handler at the pipeline's head, one flush watch, one linger.
      assertThat(channel.pipeline().toMap()).hasSize(1);
      client.setSoTimeout(5000);
      assertThat(readToEnd(client.getInputStream())).isZero();
    }
  }
}
