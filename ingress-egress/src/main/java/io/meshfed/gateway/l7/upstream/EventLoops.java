package io.meshfed.gateway.l7.upstream;

import io.meshfed.control.client.gateway.IoTransport;
import io.netty.channel.EventLoopGroup;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's event loops and the transport they run on. io_uring can pass Netty's availability probe and still
 * fail to set up an event loop's ring (the locked-memory limit older kernels apply to rings is the usual cause): then
 * the gateway starts on epoll with a warning instead of not starting.
 *
 * @param transport the transport the loops run on
 * @param group the loops
 */
public record EventLoops(Transport transport, EventLoopGroup group) {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

  /** {@code threads} event loops on the transport {@code choice} asks for ({@link Transport#detect}). */
  public static EventLoops start(IoTransport choice, int threads) {
    return start(Transport.detect(choice), () -> Transport.detect(IoTransport.EPOLL), threads);
  }

  static EventLoops start(Transport preferred, Supplier<Transport> instead, int threads) {
    try {
      return new EventLoops(preferred, preferred.newGroup(threads));
    } catch (RuntimeException e) {
      if (!preferred.name().equals(Transport.IO_URING)) {
        throw e;
      }
      Transport fallback = instead.get();
      LOG.warn("io_uring is available but its event loops could not start ({}); running on {} instead "
          + "(the gateway setting transport: epoll skips io_uring)", rootMessage(e), fallback.name());
      return new EventLoops(fallback, fallback.newGroup(threads));
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
