package io.meshfed.federation.catalog;

/**
 * An east-west gateway address other networks reach a cluster through: an IP address or a DNS name (both allowed,
 * as Istio's meshNetworks gateway {@code address}), and the port (15443 by default).
 */
public record GatewayAddress(String host, int port) {

  public static final int DEFAULT_PORT = 15443;

  public GatewayAddress {
    if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("gateway host: " + host + " (expected: an IP address or a DNS name)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("gateway port: " + port + " (expected: 1..65535)");
    }
  }

  /** Parses {@code host}, {@code host:port} or {@code [v6]:port}. */
  public static GatewayAddress parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("gateway: " + value + " (expected: host or host:port)");
    }
    String text = value.trim();
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("gateway: " + value + " (expected: [IPv6]:port)");
      }
      String host = text.substring(1, close);
      String rest = text.substring(close + 1);
      return new GatewayAddress(host, rest.startsWith(":") ? port(value, rest.substring(1)) : DEFAULT_PORT);
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') != colon) {
      // No port, or a bare IPv6 address.
      return new GatewayAddress(text, DEFAULT_PORT);
    }
    return new GatewayAddress(text.substring(0, colon), port(value, text.substring(colon + 1)));
  }

  private static int port(String value, String port) {
    try {
      return Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("gateway: " + value + " (expected: host:port with a numeric port)", e);
    }
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
