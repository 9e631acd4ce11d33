package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.tls.DownstreamTlsSpec;
import java.util.List;

/**
 * One compiled filter chain: its match, its TLS termination (if any) and either an HTTP connection manager or a
 * TCP proxy.
 *
 * @param name the chain's name, or {@code filter_chains[i]}
 * @param serverNames {@code filter_chain_match.server_names}, lower case; empty matches any SNI
 * @param transportProtocol {@code filter_chain_match.transport_protocol}: {@code tls}, {@code raw_buffer} or empty
 * @param tls the TLS to terminate, null for plaintext or passthrough
 * @param http the connection manager, null for a TCP chain
 * @param tcp the TCP proxy, null for an HTTP chain
 */
public record FilterChainSpec(String name, List<String> serverNames, String transportProtocol, DownstreamTlsSpec tls,
                              HttpManagerSpec http, TcpProxySpec tcp) {

  /** How specifically this chain matches {@code sni}: 0 no match, else higher is more specific (Envoy's order). */
  public int sniScore(String sni) {
    if (serverNames.isEmpty()) {
      return 1;
    }
    if (sni == null || sni.isEmpty()) {
      return 0;
    }
    int best = 0;
    for (String name : serverNames) {
      if (name.equals(sni)) {
        return Integer.MAX_VALUE;
      }
      // Envoy: "*.example.com" matches one or more labels; the longest wildcard wins.
      if (name.startsWith("*.") && sni.endsWith(name.substring(1)) && sni.length() > name.length() - 1) {
        best = Math.max(best, 2 + name.length());
      }
    }
    return best;
  }

  /** True when this chain accepts the transport: TLS detected or not. */
  public boolean acceptsTransport(boolean tlsDetected) {
    return switch (transportProtocol) {
      case "tls" -> tlsDetected;
      case "raw_buffer" -> !tlsDetected;
      default -> true;
    };
  }
}
