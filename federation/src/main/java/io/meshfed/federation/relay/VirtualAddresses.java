package io.meshfed.federation.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The loopback address every member knows a Hazelcast member by: derived from its mesh id and member name into
 * 127.64.0.0/10, so it is the same on every host without configuration, never 127.0.0.1, and reachable only
 * through the local relay (Linux routes all of 127/8 to loopback). The mesh id takes part so that two meshes with
 * a cluster of the same name (a demo and a test, say) on one host do not bind the same address.
 */
public final class VirtualAddresses {

  private VirtualAddresses() {
  }

  public static InetSocketAddress of(String meshId, String memberName, int port) {
    byte[] hash;
    try {
      // '/' occurs in neither (both are tokens of letters, digits, '.', '_' and '-'), so the pair is unambiguous.
      hash = MessageDigest.getInstance("SHA-256").digest((meshId + "/" + memberName).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
    byte[] address = {127, (byte) (64 + (hash[0] & 0x3f)), hash[1], (byte) (1 + (hash[2] & 0xff) % 254)};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4-byte address is always valid", e);
    }
  }
}
