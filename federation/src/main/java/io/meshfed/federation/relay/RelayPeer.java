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

  /**
   * A peer from a {@code host:port} endpoint, e.g. a remote-cluster Secret's {@code meshfed.io/federation-endpoint}
   * (the remote control plane's member name is its cluster id).
   */
  public static RelayPeer fromEndpoint(String memberName, String endpoint) {
    int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1) {
      throw new IllegalArgumentException("peer " + memberName + " endpoint: " + endpoint + " (expected: host:port)");
    }
    String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
    try {
      return new RelayPeer(memberName, host, Integer.parseInt(endpoint.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("peer " + memberName + " endpoint: " + endpoint
          + " (expected: host:port with a numeric port)", e);
    }
  }

  public InetSocketAddress virtualAddress(String meshId, int virtualPort) {
    return VirtualAddresses.of(meshId, memberName, virtualPort);
  }
}
