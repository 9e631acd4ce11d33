package io.meshfed.gateway.l7.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client with prior knowledge (h2c) on Netty's frame codec, one connection, that shows each stream's frames
 * as they arrive: what Vert.x's client hides (which frame ended a stream, a reset's error code) is what some tests
 * are about. Netty does the protocol (settings, flow control, HPACK); the test drives requests frame by frame.
 */
public final class H2cFrames implements AutoCloseable {

  /**
   * A frame received on a stream.
   *
   * @param type {@code HEADERS}, {@code DATA} or {@code RST_STREAM}
   * @param endStream whether it carried END_STREAM
   * @param status the {@code :status} of a HEADERS frame, else null
   * @param errorCode the error code of a RST_STREAM, else -1
   * @param data the payload of a DATA frame as text, else ""
   */
  public record Frame(String type, boolean endStream, String status, long errorCode, String data) {
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;

  public H2cFrames(int port) throws Exception {
    this(port, Http2Settings.defaultSettings());
  }

  /**
   * A client that announces {@code settings} in its preface: {@code initialWindowSize(0)}, say, for streams whose
   * response DATA cannot leave the server until the test opens a window (here it never does).
   */
  public H2cFrames(int port, Http2Settings settings) throws Exception {
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            // Streams the server opens (none here) get a handler that drops what they read.
            channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        });
    connection = bootstrap.connect("127.0.0.1", port).sync().channel();
  }

  /** Opens a stream and sends a request's HEADERS: {@code :method}, {@code :path}, {@code :authority}. */
  public Stream request(String method, String authority, String path, boolean endStream) throws Exception {
    Stream stream = new Stream();
    Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open().sync().getNow();
    stream.channel = channel;
    Http2Headers headers = new DefaultHttp2Headers().method(method).scheme("http").authority(authority).path(path);
    channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream)).sync();
    return stream;
  }

  /** True while the connection is open. */
  public boolean open() {
    return connection.isActive();
  }

  /** Whether the server closed the connection (or it failed) within {@code seconds}. */
  public boolean closedWithin(int seconds) throws InterruptedException {
    return connection.closeFuture().await(seconds, TimeUnit.SECONDS);
  }

  /** One request's stream: what it sends, and the frames it received, in order. */
  public static final class Stream extends ChannelInboundHandlerAdapter {
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private Http2StreamChannel channel;

    /**
     * Queues {@code bytes} bytes of DATA ('x') in one frame (Netty splits it by frame size and sends it as the
     * server's flow-control windows allow); does not wait for them to leave.
     */
    public Stream data(int bytes, boolean endStream) {
      byte[] body = new byte[bytes];
      Arrays.fill(body, (byte) 'x');
      channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), endStream));
      return this;
    }

    /** The next frame received, waiting up to {@code seconds}; fails when none arrives. */
    public Frame next(int seconds) throws InterruptedException {
      Frame frame = frames.poll(seconds, TimeUnit.SECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + seconds + " s on stream " + channel.stream().id());
      }
      return frame;
    }

    /** Frames until one with END_STREAM or a RST_STREAM, that one included; the DATA frames' text joined. */
    public String bodyUntilEnd(int seconds) throws InterruptedException {
      StringBuilder body = new StringBuilder();
      while (true) {
        Frame frame = next(seconds);
        body.append(frame.data());
        if (frame.endStream() || frame.type().equals("RST_STREAM")) {
          return body.toString();
        }
      }
    }

    /** Whether the stream's channel is closed (Netty closes it once the stream is closed on both sides). */
    public boolean closedWithin(int seconds) throws InterruptedException {
      return channel.closeFuture().await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers) {
          CharSequence status = headers.headers().status();
          frames.add(new Frame("HEADERS", headers.isEndStream(), status == null ? null : status.toString(), -1,
              ""));
        } else if (msg instanceof Http2DataFrame data) {
          frames.add(new Frame("DATA", data.isEndStream(), null, -1,
              data.content().toString(StandardCharsets.UTF_8)));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    /** Netty's multiplexer passes RST_STREAM as an event: it is not flow controlled, so not subject to reading. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof Http2ResetFrame reset) {
        frames.add(new Frame("RST_STREAM", false, null, reset.errorCode(), ""));
      }
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void close() throws Exception {
    connection.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
