package io.meshfed.gateway.l7.upstream;

import io.meshfed.control.client.gateway.IoTransport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport the data plane runs on: io_uring where the kernel allows it, else epoll (Linux), else NIO.
 * io_uring comes first because it completes a proxied request with fewer system-call entries than epoll's
 * readiness-then-read (docs/l7-gateway.md, "Transport"); container runtimes' default seccomp profiles often block it,
 * and then {@link IoUring#isAvailable()} is false and epoll serves.
 */
public record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel,
                        Class<? extends Channel> channel) {

  /** The name of the io_uring transport. */
  static final String IO_URING = "io_uring";

  /** The transport {@code choice} asks for, or the next best one this machine has. */
  public static Transport detect(IoTransport choice) {
    if (choice == IoTransport.AUTO && IoUring.isAvailable()) {
      return new Transport(IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
          IoUringSocketChannel.class);
    }
    if (choice != IoTransport.NIO && Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** A group of {@code threads} event loops named {@code meshfed-l7-<n>}. */
  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("meshfed-l7", true), ioHandler);
  }
}
