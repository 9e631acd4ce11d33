package io.meshfed.gateway.eastwest.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The event loops and socket types: epoll where the platform offers it (fewer syscalls per splice), NIO elsewhere. */
record Transport(String name, EventLoopGroup group, ChannelFactory<? extends ServerChannel> serverChannels,
    ChannelFactory<? extends Channel> channels) {

  static Transport create(int threads, boolean preferNative) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory("meshfed-eastwest", true);
    if (preferNative && Epoll.isAvailable()) {
      return new Transport("epoll", new MultiThreadIoEventLoopGroup(threads, threadFactory,
          EpollIoHandler.newFactory()), EpollServerSocketChannel::new, EpollSocketChannel::new);
    }
    return new Transport("nio", new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory()),
        NioServerSocketChannel::new, NioSocketChannel::new);
  }
}
