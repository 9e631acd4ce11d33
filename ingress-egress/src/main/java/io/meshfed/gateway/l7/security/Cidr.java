package io.meshfed.gateway.l7.security;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Envoy's {@code CidrRange}.
 *
 * @param prefix the address bytes (4 or 16)
 * @param length the prefix length in bits
 */
public record Cidr(byte[] prefix, int length) {

  /** True when {@code address} is inside this range (an IPv4 address never matches an IPv6 range). */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != prefix.length) {
      return false;
    }
    int full = length / 8;
    for (int i = 0; i < full; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    int rest = length % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (bytes[full] & mask) == (prefix[full] & mask);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr cidr && cidr.length == length && Arrays.equals(cidr.prefix, prefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(prefix) * 31 + length;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(prefix).getHostAddress() + "/" + length;
    } catch (java.net.UnknownHostException e) {
      return Arrays.toString(prefix) + "/" + length;
    }
  }
}
