package io.meshfed.gateway.eastwest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.config.ChainMatch;
import io.meshfed.gateway.eastwest.config.FilterChainConfig;
import io.meshfed.gateway.eastwest.config.TcpProxyTarget;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainIndexTest {

  private static ChainRuntime chain(String name, Set<String> names, String transport, Set<String> alpn) {
    return new ChainRuntime(new FilterChainConfig(0, name, new ChainMatch(names, transport, alpn), false, null,
        List.of(), new TcpProxyTarget(name, 1, Duration.ZERO), ""), Mode.PASSTHROUGH, null);
  }

  private static final Set<String> ISTIO = Set.of("istio", "istio-peer-exchange");

  private final ChainIndex index = new ChainIndex(List.of(
      chain("exact", Set.of("outbound_.80_._.a.ns.svc.cluster.local"), "", ISTIO),
      chain("wildcard", Set.of("*.ns.svc.cluster.local"), "", ISTIO),
      chain("deeper", Set.of("*.b.ns.svc.cluster.local"), "", ISTIO),
      chain("plain", Set.of(), "raw_buffer", Set.of())));

  private String select(boolean tls, String sni, List<String> alpn) {
    ChainIndex.Selection selection = index.select(tls, sni, alpn);
    return selection.chain() == null ? selection.reason().label() : selection.chain().config().name();
  }

  @Test
  void exactNameBeatsWildcards() {
    assertThat(select(true, "outbound_.80_._.a.ns.svc.cluster.local", List.of("istio"))).isEqualTo("exact");
  }

  @Test
  void longestWildcardSuffixWins() {
    assertThat(select(true, "x.b.ns.svc.cluster.local", List.of("istio"))).isEqualTo("deeper");
    assertThat(select(true, "x.c.ns.svc.cluster.local", List.of("istio"))).isEqualTo("wildcard");
  }

  @Test
  void aNameThatMatchedDoesNotFallBackWhenItsAlpnFails() {
    // Envoy's matching does not backtrack: the exact chain is chosen on the name, then fails on ALPN.
    assertThat(select(true, "outbound_.80_._.a.ns.svc.cluster.local", List.of("h2"))).isEqualTo("alpn_mismatch");
  }

  @Test
  void unknownNamesAndPlaintextHaveTheirOwnReasons() {
    assertThat(select(true, "other.example.com", List.of("istio"))).isEqualTo("unknown_sni");
    assertThat(select(false, "", List.of())).isEqualTo("plain");
    ChainIndex tlsOnly = new ChainIndex(List.of(chain("exact", Set.of("a"), "", ISTIO)));
    assertThat(tlsOnly.select(false, "", List.of()).reason()).isEqualTo(RejectReason.NOT_TLS);
  }
}
