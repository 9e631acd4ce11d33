package io.meshfed.control.client.gateway;

import java.util.Locale;

/**
 * The gateway setting {@code transport}: which of Netty's transports a gateway's data plane runs on. The gateway takes
 * the best one it supports and the machine allows; asking for one narrows the choice (docs/configuration.md).
 */
public enum IoTransport {
  /** The best available: io_uring for the ingress and egress gateways, then epoll, then NIO. */
  AUTO,
  /** Epoll where available, else NIO; never io_uring (for kernels or sandboxes where io_uring misbehaves). */
  EPOLL,
  /** Java NIO, on every platform. */
  NIO;

  /** The setting's spelling: {@code auto}, {@code epoll}, {@code nio}. */
  public String settingValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The transport spelled {@code value} in a setting.
   *
   * @throws IllegalArgumentException {@code transport: <value> (expected: auto, epoll or nio)}
   */
  public static IoTransport fromSetting(String value) {
    for (IoTransport candidate : values()) {
      if (candidate.settingValue().equals(value)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("transport: " + value + " (expected: auto, epoll or nio)");
  }
}
