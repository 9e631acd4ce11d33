package io.meshfed.federation.relay;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One member's relay.
 *
 * @param meshId the mesh (= Hazelcast cluster name); peers of another mesh are refused
 * @param memberName this member's name: peers dial it, and its virtual address derives from it
 * @param listenHost where the mTLS relay listens for peers (e.g. 0.0.0.0, or a loopback address in tests)
 * @param listenPort the relay port (5701 in deployments: the federation port; 0 picks a free one)
 * @param localMember this member's Hazelcast bind address, which must be loopback
 * @param virtualPort the port of every member's virtual address (5701)
 */
public record RelaySettings(String meshId, String memberName, String listenHost, int listenPort,
    InetSocketAddress localMember, int virtualPort, FederationTls tls) {

  public RelaySettings {
    requireToken("meshId", meshId);
    requireToken("memberName", memberName);
    Objects.requireNonNull(listenHost, "listenHost");
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException("listenPort: " + listenPort + " (expected: 0..65535)");
    }
    Objects.requireNonNull(localMember, "localMember");
    // By construction, the only way off this host is the relay: Hazelcast itself may only listen on loopback.
    if (localMember.getAddress() == null || !localMember.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("localMember: " + localMember
          + " (expected: a loopback address; Hazelcast traffic leaves the host only through the mTLS relay)");
    }
    if (virtualPort < 1 || virtualPort > 65535) {
      throw new IllegalArgumentException("virtualPort: " + virtualPort + " (expected: 1..65535)");
    }
    Objects.requireNonNull(tls, "tls");
  }

  public InetSocketAddress virtualAddress() {
    return VirtualAddresses.of(meshId, memberName, virtualPort);
  }

  private static void requireToken(String field, String value) {
    if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: letters, digits, '.', '_' or '-')");
    }
  }
}
