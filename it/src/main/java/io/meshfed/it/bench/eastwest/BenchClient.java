package io.meshfed.it.bench.eastwest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.io.DataInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;

/**
 * The benchmark's load generator. Every mode prints one line of {@code key=value} figures.
 * <ul>
 *   <li>{@code bulk <ip:port> <sni> <connections> <warmup s> <seconds>}: sends a ClientHello, then reads what the
 *       bulk backend streams; prints MB/s.</li>
 *   <li>{@code latency <ip:port> <sni> <warmup> <count> <bytes>}: one connection, a ClientHello, then sequential
 *       request/echo round trips; prints percentiles in microseconds.</li>
 *   <li>{@code tls-latency <sni> <warmup> <count> <bytes> <rounds> <name>=<ip:port>...}: one real TLS session per
 *       target, request/echo round trips measured in interleaved blocks; prints percentiles per target and each
 *       target's added p50/p99 over the first (see {@link TlsPingPong}).</li>
 *   <li>{@code handshake <ip:port> <sni> <concurrency> <warmup s> <seconds> <chain.pem> <key.pem>}: full mTLS
 *       handshakes (no resumption), each followed by one echoed byte; prints handshakes per second.</li>
 *   <li>{@code hold <ip:port> <sni> <connections>}: opens that many spliced connections, prints {@code holding}, and
 *       keeps them until stdin closes.</li>
 * </ul>
 */
public final class BenchClient {

  static final List<String> ALPN = List.of("istio-peer-exchange", "istio");

  private BenchClient() {
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "bulk" -> bulk(address(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      case "latency" -> latency(address(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      case "handshake" -> handshake(address(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), args[6], args[7]);
      case "tls-latency" -> {
        Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
        for (int i = 6; i < args.length; i++) {
          String[] nameAddress = args[i].split("=", 2);
          targets.put(nameAddress[0], address(nameAddress[1]));
        }
        TlsPingPong.run(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
            Integer.parseInt(args[5]), targets);
      }
      case "hold" -> hold(address(args[1]), args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("mode: " + args[0]
          + " (expected: bulk, latency, tls-latency, handshake, hold)");
    }
    System.exit(0);
  }

  /** Marks the measured window on stdout, so a script can read the proxy's CPU time exactly over it. */
  private static void measuring() {
    System.out.println("measuring");
    System.out.flush();
  }

  private static void measured() {
    System.out.println("measured");
    System.out.flush();
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static Socket open(InetSocketAddress target, byte[] hello) throws Exception {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(target, 5000);
    socket.getOutputStream().write(hello);
    return socket;
  }

  static void bulk(InetSocketAddress target, String sni, int connections, int warmup, int seconds)
      throws Exception {
    byte[] hello = ClientHelloBytes.of(sni, ALPN);
    AtomicLong bytes = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Socket socket = open(target, hello);
      Thread reader = new Thread(() -> {
        byte[] buffer = new byte[256 * 1024];
        try (socket) {
          InputStream in = socket.getInputStream();
          while (running.get()) {
            int read = in.read(buffer);
            if (read < 0) {
              return;
            }
            bytes.addAndGet(read);
          }
        } catch (Exception e) {
          // Done.
        }
      });
      reader.start();
      readers.add(reader);
    }
    TimeUnit.SECONDS.sleep(warmup);
    long startBytes = bytes.get();
    long start = System.nanoTime();
    measuring();
    TimeUnit.SECONDS.sleep(seconds);
    long moved = bytes.get() - startBytes;
    double elapsed = (System.nanoTime() - start) / 1e9;
    measured();
    running.set(false);
    System.out.printf(Locale.ROOT, "bulk_mb_per_s=%.1f bytes=%d seconds=%.2f connections=%d%n",
        moved / elapsed / 1e6, moved, elapsed, connections);
  }

  static void latency(InetSocketAddress target, String sni, int warmup, int count, int size) throws Exception {
    byte[] hello = ClientHelloBytes.of(sni, ALPN);
    try (Socket socket = open(target, hello)) {
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] request = new byte[size];
      Arrays.fill(request, (byte) 'x');
      byte[] response = new byte[size];
      long[] samples = new long[count];
      for (int i = 0; i < warmup + count; i++) {
        long start = System.nanoTime();
        out.write(request);
        in.readFully(response);
        long took = System.nanoTime() - start;
        if (i >= warmup) {
          samples[i - warmup] = took;
        }
      }
      Arrays.sort(samples);
      System.out.printf(Locale.ROOT, "p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f count=%d bytes=%d%n",
          samples[count / 2] / 1e3, samples[(int) (count * 0.99)] / 1e3, samples[(int) (count * 0.999)] / 1e3,
          samples[count - 1] / 1e3, count, size);
    }
  }

  static void handshake(InetSocketAddress target, String sni, int concurrency, int warmup, int seconds,
      String chainPem, String keyPem) throws Exception {
    SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
        .keyManager(new File(chainPem), new File(keyPem))
        // A load generator: the server's chain is not verified here (that would measure the client's JDK ECDSA).
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .endpointIdentificationAlgorithm(null)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN))
        .build();
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Bootstrap bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        // An orderly close (FIN), as real clients do; loopback reuses TIME_WAIT ports (tcp_tw_reuse).
        .option(ChannelOption.TCP_NODELAY, true);
    Runnable[] next = new Runnable[1];
    next[0] = () -> bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel channel) {
        // No peer host/port: no session cache, so every handshake is a full one.
        SSLEngine engine = context.newEngine(channel.alloc());
        SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), sni);
        channel.pipeline().addLast(new SslHandler(engine));
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          private boolean counted;

          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion) {
              if (completion.isSuccess()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'x'}));
              } else {
                ctx.close();
              }
            }
          }

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (!counted) {
              counted = true;
              done.incrementAndGet();
            }
            ctx.close();
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            if (!counted) {
              failed.incrementAndGet();
            }
            ctx.channel().eventLoop().execute(next[0]);
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        });
      }
    }).connect(target).addListener(connected -> {
      if (!connected.isSuccess()) {
        failed.incrementAndGet();
        group.schedule(next[0], 10, TimeUnit.MILLISECONDS);
      }
    });
    for (int i = 0; i < concurrency; i++) {
      group.execute(next[0]);
    }
    TimeUnit.SECONDS.sleep(warmup);
    long startDone = done.get();
    long startFailed = failed.get();
    long start = System.nanoTime();
    measuring();
    TimeUnit.SECONDS.sleep(seconds);
    long completed = done.get() - startDone;
    double elapsed = (System.nanoTime() - start) / 1e9;
    measured();
    System.out.printf(Locale.ROOT, "handshakes_per_s=%.0f completed=%d failed=%d seconds=%.2f concurrency=%d%n",
        completed / elapsed, completed, failed.get() - startFailed, elapsed, concurrency);
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  static void hold(InetSocketAddress target, String sni, int connections) throws Exception {
    byte[] hello = ClientHelloBytes.of(sni, ALPN);
    List<Socket> sockets = new ArrayList<>();
    byte[] ping = "ping".getBytes();
    byte[] pong = new byte[4];
    for (int i = 0; i < connections; i++) {
      Socket socket = open(target, hello);
      socket.getOutputStream().write(ping);
      new DataInputStream(socket.getInputStream()).readFully(pong);
      sockets.add(socket);
    }
    System.out.println("holding connections=" + sockets.size());
    System.out.flush();
    while (System.in.read() >= 0) {
      // Hold until the script closes stdin.
    }
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
