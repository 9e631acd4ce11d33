package io.meshfed.federation.relay;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A remote federation member: its member name (the name its relay answers to) and where its relay listens. Its
 * Hazelcast member is known to everyone as {@link #virtualAddress()}.
 */
public record RelayPeer(String memberName, String host, int port) {

  public RelayPeer {
    Objects.requireNonNull(memberName, "memberName");
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("peer " + memberName + " host: " + host + " (expected: an address or name)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer " + memberName + " port: " + port + " (expected: 1..65535)");
    }
  }

  public InetSocketAddress virtualAddress(int virtualPort) {
    return VirtualAddresses.of(memberName, virtualPort);
  }
}
