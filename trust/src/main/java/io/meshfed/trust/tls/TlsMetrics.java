package io.meshfed.trust.tls;

import io.meshfed.trust.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * TLS peer verification and reload metrics: {@code meshfed_tls_peer_verified_total{side}},
 * {@code meshfed_tls_peer_rejected_total{side,reason}} and {@code meshfed_tls_reloads_total{result}}.
 */
final class TlsMetrics {

  private final MeterRegistry registry;

  TlsMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void verified(String side) {
    Counter.builder("meshfed_tls_peer_verified").description("TLS peers that passed SPIFFE verification")
        .tag("side", side).register(registry).increment();
  }

  void rejected(String side, RejectReason reason) {
    Counter.builder("meshfed_tls_peer_rejected").description("TLS peers refused by SPIFFE verification")
        .tag("side", side).tag("reason", reason.tag()).register(registry).increment();
  }

  void reloaded(boolean ok) {
    Counter.builder("meshfed_tls_reloads").description("SVID hot swaps into live TLS endpoints")
        .tag("result", ok ? "ok" : "failed").register(registry).increment();
  }
}
