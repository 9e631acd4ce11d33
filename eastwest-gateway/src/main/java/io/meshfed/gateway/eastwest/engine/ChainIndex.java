package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.RejectReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's filter chain match, criterion by criterion and without backtracking (the Listener docs' "filter chain
 * match" order): server name (exact, then the longest {@code *.suffix}, then chains without names), then transport
 * protocol (exact, then any), then application protocol (one the client offered, then any). Exact names are a hash
 * lookup, so thousands of exported services cost nothing per connection.
 */
final class ChainIndex {

  /** The chosen chain, or why none matched. */
  record Selection(ChainRuntime chain, RejectReason reason) {
  }

  private final Map<String, List<ChainRuntime>> exact = new HashMap<>();
  private final Map<String, List<ChainRuntime>> wildcard = new HashMap<>();
  private final List<ChainRuntime> unnamed = new ArrayList<>();

  ChainIndex(List<ChainRuntime> chains) {
    for (ChainRuntime chain : chains) {
      var names = chain.config().match().serverNames();
      if (names.isEmpty()) {
        unnamed.add(chain);
      }
      for (String name : names) {
        if (name.startsWith("*.")) {
          wildcard.computeIfAbsent(name.substring(1), key -> new ArrayList<>()).add(chain);
        } else {
          exact.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), key -> new ArrayList<>()).add(chain);
        }
      }
    }
  }

  Selection select(boolean tls, String serverName, List<String> applicationProtocols) {
    List<ChainRuntime> byName = byServerName(serverName);
    if (byName.isEmpty()) {
      return new Selection(null, tls ? RejectReason.UNKNOWN_SNI : RejectReason.NOT_TLS);
    }
    String transport = tls ? "tls" : "raw_buffer";
    List<ChainRuntime> byTransport = filter(byName, chain -> chain.config().match().transportProtocol()
        .equals(transport));
    if (byTransport.isEmpty()) {
      byTransport = filter(byName, chain -> chain.config().match().transportProtocol().isEmpty());
    }
    if (byTransport.isEmpty()) {
      return new Selection(null, tls ? RejectReason.UNKNOWN_SNI : RejectReason.NOT_TLS);
    }
    List<ChainRuntime> byAlpn = filter(byTransport, chain -> {
      for (String protocol : applicationProtocols) {
        if (chain.config().match().applicationProtocols().contains(protocol)) {
          return true;
        }
      }
      return false;
    });
    if (byAlpn.isEmpty()) {
      byAlpn = filter(byTransport, chain -> chain.config().match().applicationProtocols().isEmpty());
    }
    if (byAlpn.isEmpty()) {
      return new Selection(null, RejectReason.ALPN_MISMATCH);
    }
    return new Selection(byAlpn.get(0), null);
  }

  private List<ChainRuntime> byServerName(String serverName) {
    if (!serverName.isEmpty()) {
      List<ChainRuntime> found = exact.get(serverName);
      if (found != null) {
        return found;
      }
      // *.b.example.com before *.example.com: strip one label at a time.
      for (int dot = serverName.indexOf('.'); dot >= 0; dot = serverName.indexOf('.', dot + 1)) {
        found = wildcard.get(serverName.substring(dot));
        if (found != null && dot > 0) {
          return found;
        }
      }
    }
    return unnamed;
  }

  private static List<ChainRuntime> filter(List<ChainRuntime> chains,
      java.util.function.Predicate<ChainRuntime> predicate) {
    List<ChainRuntime> kept = new ArrayList<>(chains.size());
    for (ChainRuntime chain : chains) {
      if (predicate.test(chain)) {
        kept.add(chain);
      }
    }
    return kept;
  }
}
