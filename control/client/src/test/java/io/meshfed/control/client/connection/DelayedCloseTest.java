package io.meshfed.control.client.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DelayedClose} over loopback TCP, with more bytes pending than the kernel's buffers hold (its send buffer
 * grows to 4 MiB at most): a client that reads nothing is cut off, a slow reader gets every byte.
 */
class DelayedCloseTest {

  private static final int BYTES = 16 << 20;

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
  private Channel server;
  private SslContext tls;

  @BeforeEach
  void listen() throws Exception {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            if (tls == null) {
              accepted.add(channel);
              return;
            }
            SslHandler handler = tls.newHandler(channel.alloc());
            channel.pipeline().addLast(handler);
            handler.handshakeFuture().addListener(done -> accepted.add(channel));
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterEach
  void close() throws Exception {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Connects a client with a small receive window, then writes BYTES to its connection and asks for the close. */
  private Channel sendThenClose(Socket client, long timeoutMillis) throws Exception {
    client.setReceiveBufferSize(16 * 1024);
    client.connect(server.localAddress());
    Channel channel = accepted.poll(5, TimeUnit.SECONDS);
    writeThenClose(channel, timeoutMillis);
    return channel;
  }

  /** Writes BYTES to {@code channel}, then asks for the delayed close, on its event loop. */
  private static void writeThenClose(Channel channel, long timeoutMillis) {
    channel.eventLoop().execute(() -> {
      channel.write(Unpooled.wrappedBuffer(new byte[BYTES]));
      DelayedClose.closeAfterFlush(channel, timeoutMillis);
    });
  }

  @Test
  void closesAConnectionWhoseClientReadsNothing() throws Exception {
    try (Socket client = new Socket()) {
      Channel channel = sendThenClose(client, 500);

      assertThat(channel.closeFuture().await(5, TimeUnit.SECONDS)).as("closed with bytes still pending").isTrue();
    }
  }

  /** Serves TLS from here on; returns a client socket that trusts the server's self-signed certificate. */
  private SSLSocket tlsClient() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("delayed-close");
    // TLS 1.3: its close_notify closes one direction only (under 1.2 the client would answer with its own and close).
    tls = SslContextBuilder.forServer(new File(certificate.certificatePath()), new File(certificate.privateKeyPath()))
        .protocols("TLSv1.3").build();
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    return (SSLSocket) trustAll.getSocketFactory().createSocket();
  }

  /** Reads until the end of the stream; returns how many bytes came. */
  private static long readToEnd(InputStream in) throws Exception {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    int read;
    while ((read = in.read(buffer)) >= 0) {
      total += read;
    }
    return total;
  }

  @Test
  void closesATlsConnectionWhoseClientReadsNothingWithoutWaitingForCloseNotify() throws Exception {
    try (SSLSocket client = tlsClient()) {
      client.setReceiveBufferSize(16 * 1024);
      client.connect(server.localAddress());
      client.startHandshake();
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      long start = System.nanoTime();
      writeThenClose(channel, 500);

      // A close through TLS would queue close_notify behind the stuck bytes and wait 3 s more for it.
      assertThat(channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }
  }

  @Test
  void aSlowReaderGetsEveryByteBeforeTheClose() throws Exception {
    try (Socket client = new Socket()) {
      sendThenClose(client, 500);
      InputStream in = client.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      long nextPause = 1 << 20;
      int read;
      // About 1.6 s in all, pausing 100 ms after each MiB: three times the 500 ms, but the bytes keep moving.
      while ((read = in.read(buffer)) >= 0) {
        total += read;
        if (total >= nextPause) {
          nextPause += 1 << 20;
          Thread.sleep(100);
        }
      }

      assertThat(total).isEqualTo(BYTES);
    }
  }

  @Test
  void theClientSeesTheEndOnceTheBytesAreOutAndItsCloseEndsTheLinger() throws Exception {
    try (SSLSocket client = tlsClient()) {
      client.connect(server.localAddress());
      client.startHandshake();
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      writeThenClose(channel, 10_000);

      // close_notify and FIN follow the last byte: without them the read would wait out the 10 s linger.
      client.setSoTimeout(5000);
      assertThat(readToEnd(client.getInputStream())).isEqualTo(BYTES);
      assertThat(channel.isOpen()).as("lingering until the client closes").isTrue();
      client.close();
      assertThat(channel.closeFuture().await(3, TimeUnit.SECONDS)).as("closed by the client's close").isTrue();
    }
  }

  @Test
  void readsAndDropsWhatAClientStillSendsUntilTheTimeout() throws Exception {
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(16 * 1024);
      client.connect(server.localAddress());
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      // As a handler that stopped reading a refused upload: what the client sends would stay unread.
      channel.config().setAutoRead(false);
      writeThenClose(channel, 2000);
      AtomicLong sent = new AtomicLong();
      Thread sender = new Thread(() -> {
        byte[] upload = new byte[64 * 1024];
        try {
          while (true) {
            client.getOutputStream().write(upload);
            sent.addAndGet(upload.length);
          }
        } catch (Exception closed) {
          // the forced close at the end of the linger
        }
      });
      sender.start();

      // Read while still sending: with no linger the bytes arriving after the close would reset the connection and
      // could cut off the response.
      assertThat(readToEnd(client.getInputStream())).isEqualTo(BYTES);
      assertThat(channel.closeFuture().await(10, TimeUnit.SECONDS)).as("cut off by the timeout").isTrue();
      sender.join(5000);
      assertThat(sender.isAlive()).isFalse();
      // Unread, the upload would have stopped once the kernel's buffers (a few MiB) were full.
      assertThat(sent.get()).as("bytes the client got out").isGreaterThan(16L << 20);
    }
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
        channel.write(Unpooled.wrappedBuffer(new byte[BYTES]));
        DelayedClose.closeAfterFlush(channel);
      }).sync();

      // A blocking client: all of its upload, then the response. Unread, the upload would stop once the buffers on the
      // way were full, the response would never leave, and the close would reset both after 1 s.
      OutputStream out = client.getOutputStream();
      byte[] part = new byte[64 * 1024];
      for (int sent = 0; sent < BYTES; sent += part.length) {
        out.write(part);
      }
      assertThat(readToEnd(client.getInputStream())).isEqualTo(BYTES);
    }
  }

  @Test
  void aSecondCloseOnAClosingConnectionDoesNothing() throws Exception {
    try (Socket client = new Socket()) {
      client.connect(server.localAddress());
      Channel channel = accepted.poll(5, TimeUnit.SECONDS);
      channel.eventLoop().submit(() -> {
        DelayedClose.closeAfterFlush(channel);
        DelayedClose.closeAfterFlush(channel);
      }).sync();

      // One handler at the pipeline's head, one flush watch, one linger.
      assertThat(channel.pipeline().toMap()).hasSize(1);
      client.setSoTimeout(5000);
      assertThat(readToEnd(client.getInputStream())).isZero();
    }
  }
}
