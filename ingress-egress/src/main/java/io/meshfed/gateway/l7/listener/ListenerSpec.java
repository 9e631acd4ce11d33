package io.meshfed.gateway.l7.listener;

import java.util.List;

/**
 * A compiled LDS {@code Listener}.
 *
 * @param name {@code 0.0.0.0_8080}
 * @param address the bind address
 * @param port the bind port (0 binds an ephemeral port, for tests)
 * @param tlsInspector {@code envoy.filters.listener.tls_inspector} is configured: SNI is read before choosing a chain
 * @param chains the filter chains in order
 * @param defaultChain {@code default_filter_chain}, null when absent
 */
public record ListenerSpec(String name, String address, int port, boolean tlsInspector, List<FilterChainSpec> chains,
                           FilterChainSpec defaultChain) {

  /** True when a chain needs the ClientHello to be chosen (TLS termination, SNI or transport matching). */
  public boolean needsSniffing() {
    if (tlsInspector) {
      return true;
    }
    for (FilterChainSpec chain : chains) {
      if (chain.tls() != null || !chain.serverNames().isEmpty() || !chain.transportProtocol().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The chain for a connection, the way Envoy orders criteria that meshfed supports (server names, then transport
   * protocol); null when none matches (the connection is closed).
   */
  public FilterChainSpec select(boolean tls, String sni) {
    FilterChainSpec best = null;
    long bestScore = 0;
    for (FilterChainSpec chain : chains) {
      if (!chain.acceptsTransport(tls)) {
        continue;
      }
      long sniScore = chain.sniScore(sni);
      // Server names decide first; an explicit transport protocol only breaks ties.
      long score = sniScore == 0 ? 0 : sniScore * 2 + (chain.transportProtocol().isEmpty() ? 0 : 1);
      if (score > bestScore) {
        best = chain;
        bestScore = score;
      }
    }
    return best != null ? best : defaultChain;
  }
}
