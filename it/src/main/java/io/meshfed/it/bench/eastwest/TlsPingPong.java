package io.meshfed.it.bench.eastwest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * Added latency per small request through passthrough: one TLS session per target (a real handshake with the Istio
 * SNI and ALPN, terminated by {@link TlsEchoBackend}), then sequential request/echo round trips of a few bytes. The
 * targets (the backend directly, HAProxy, the gateway) are measured by the same client in interleaved blocks, so a
 * burst of other work on the machine lands on all of them alike rather than on whichever ran at that moment.
 */
final class TlsPingPong {

  private TlsPingPong() {
  }

  /**
   * Prints, per target, {@code target=<name> p50_us= p90_us= p99_us= p999_us= max_us= count=} and, for every target
   * after the first (the baseline), {@code added=<name> p50_us= p99_us=} (its percentile minus the baseline's).
   */
  static void run(String sni, int warmup, int count, int size, int rounds, Map<String, InetSocketAddress> targets)
      throws Exception {
    SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .endpointIdentificationAlgorithm(null)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, BenchClient.ALPN))
        .build();
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      Map<String, Session> sessions = new LinkedHashMap<>();
      for (Map.Entry<String, InetSocketAddress> target : targets.entrySet()) {
        Session session = new Session(size);
        Channel channel = new Bootstrap().group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                SSLEngine engine = context.newEngine(ch.alloc());
                // Istio's SNI has underscores, which the JDK's SNIHostName refuses: set it on the engine directly.
                SSL.setTlsExtHostName(((ReferenceCountedOpenSslEngine) engine).sslPointer(), sni);
                SslHandler ssl = new SslHandler(engine);
                ssl.handshakeFuture().addListener(done -> {
                  if (done.isSuccess()) {
                    session.ready.complete(null);
                  } else {
                    session.ready.completeExceptionally(done.cause());
                  }
                });
                ch.pipeline().addLast(ssl, session);
              }
            }).connect(target.getValue()).sync().channel();
        session.channel = channel;
        session.ready.get(10, TimeUnit.SECONDS);
        sessions.put(target.getKey(), session);
      }
      for (Session session : sessions.values()) {
        session.block(null, 0, warmup).get(60, TimeUnit.SECONDS);
      }
      Map<String, long[]> samples = new LinkedHashMap<>();
      sessions.keySet().forEach(name -> samples.put(name, new long[count]));
      int perRound = count / rounds;
      for (int round = 0; round < rounds; round++) {
        int offset = round * perRound;
        int n = round == rounds - 1 ? count - offset : perRound;
        for (Map.Entry<String, Session> session : sessions.entrySet()) {
          session.getValue().block(samples.get(session.getKey()), offset, n).get(60, TimeUnit.SECONDS);
        }
      }
      List<String> names = new ArrayList<>(samples.keySet());
      long[] baseline = null;
      for (String name : names) {
        long[] sorted = samples.get(name);
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "target=%s p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f"
                + " count=%d bytes=%d rounds=%d%n", name, pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99),
            pct(sorted, 0.999), sorted[count - 1] / 1e3, count, size, rounds);
        if (baseline == null) {
          baseline = sorted;
        } else {
          System.out.printf(Locale.ROOT, "added=%s p50_us=%.1f p99_us=%.1f%n", name,
              pct(sorted, 0.5) - pct(baseline, 0.5), pct(sorted, 0.99) - pct(baseline, 0.99));
        }
      }
      for (Session session : sessions.values()) {
        session.channel.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }

  private static double pct(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * quantile))] / 1e3;
  }

  /** One TLS connection doing round trips in blocks; event-loop confined once the handshake is done. */
  private static final class Session extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final byte[] request;
    Channel channel;
    private CompletableFuture<Void> block;
    private long[] samples;
    private int index;
    private int remaining;
    private int awaited;
    private long sentAt;

    Session(int size) {
      request = new byte[size];
      Arrays.fill(request, (byte) 'x');
    }

    /** Runs {@code n} round trips, recording them into {@code into[offset..]} unless {@code into} is null. */
    CompletableFuture<Void> block(long[] into, int offset, int n) {
      CompletableFuture<Void> future = new CompletableFuture<>();
      channel.eventLoop().execute(() -> {
        block = future;
        samples = into;
        index = offset;
        remaining = n;
        send();
      });
      return future;
    }

    private void send() {
      awaited = request.length;
      sentAt = System.nanoTime();
      channel.writeAndFlush(Unpooled.wrappedBuffer(request));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      awaited -= bytes.readableBytes();
      bytes.release();
      if (awaited > 0 || block == null) {
        return;
      }
      long took = System.nanoTime() - sentAt;
      if (samples != null) {
        samples[index++] = took;
      }
      if (--remaining > 0) {
        send();
      } else {
        CompletableFuture<Void> finished = block;
        block = null;
        finished.complete(null);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (block != null) {
        block.completeExceptionally(new IllegalStateException("connection closed mid-block"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.completeExceptionally(cause);
      if (block != null) {
        block.completeExceptionally(cause);
      }
      ctx.close();
    }
  }
}
