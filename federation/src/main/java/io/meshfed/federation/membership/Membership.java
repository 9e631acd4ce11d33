package io.meshfed.federation.membership;

import io.meshfed.federation.relay.FederationTls;
import io.meshfed.federation.relay.RelayPeer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * How a member finds the others. Each form keeps plaintext Hazelcast traffic off the networks between clusters by
 * construction:
 *
 * <ul>
 *   <li>{@link Loopback}: TCP/IP members on this host only (tests, {@code meshfed demo}).</li>
 *   <li>{@link Kubernetes}: Hazelcast's Kubernetes discovery, which lists only this cluster's pods: the replicas of
 *       one control plane on one pod network. It needs a real cluster and cannot be exercised in tests here.</li>
 *   <li>{@link Relayed}: Hazelcast on loopback, every member connection through the SPIFFE mTLS relay. Members come
 *       from configuration and from remote-cluster Secrets, and may change at runtime.</li>
 * </ul>
 */
public sealed interface Membership {

  /** TCP/IP join between members of one host; every address must be loopback. */
  record Loopback(InetSocketAddress bind, List<InetSocketAddress> members) implements Membership {
    public Loopback {
      requireLoopback("bind", bind);
      members = List.copyOf(members);
      for (InetSocketAddress member : members) {
        requireLoopback("members", member);
      }
    }
  }

  /**
   * Hazelcast's Kubernetes discovery ("Kubernetes Auto Discovery" in Hazelcast's docs): members are the ready pods
   * behind {@code serviceName} in {@code namespace}, on {@code port}.
   */
  record Kubernetes(String namespace, String serviceName, int port) implements Membership {
    public Kubernetes {
      if (namespace == null || namespace.isBlank()) {
        throw new IllegalArgumentException("kubernetes namespace: " + namespace + " (expected: the control plane's)");
      }
      if (serviceName == null || serviceName.isBlank()) {
        throw new IllegalArgumentException("kubernetes serviceName: " + serviceName
            + " (expected: the headless Service of the control-plane pods)");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("kubernetes port: " + port + " (expected: 1..65535)");
      }
    }
  }

  /**
   * Hazelcast binds {@code 127.0.0.1:bindPort}; the relay listens on {@code relayHost:relayPort} with mutual TLS.
   *
   * @param peers the members known from configuration; more can be added with
   *     {@link HazelcastMember#setPeers}
   */
  record Relayed(String relayHost, int relayPort, int bindPort, List<RelayPeer> peers, FederationTls tls)
      implements Membership {
    public Relayed {
      Objects.requireNonNull(relayHost, "relayHost");
      if (relayPort < 0 || relayPort > 65535) {
        throw new IllegalArgumentException("relayPort: " + relayPort + " (expected: 0..65535)");
      }
      if (bindPort < 1 || bindPort > 65535) {
        throw new IllegalArgumentException("bindPort: " + bindPort + " (expected: 1..65535)");
      }
      peers = List.copyOf(peers);
      Objects.requireNonNull(tls, "tls");
    }
  }

  private static void requireLoopback(String field, InetSocketAddress address) {
    if (address == null || address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(field + ": " + address + " (expected: a loopback address; members on other"
          + " hosts join through the mTLS relay, Membership.Relayed)");
    }
  }
}
