package io.meshfed.trust.ca;

import io.meshfed.trust.ca.local.LocalCertificateAuthority;
import io.meshfed.trust.vault.VaultAuthorities;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Starts the {@link CertificateAuthority} a {@link CaConfig} describes. */
public final class CertificateAuthorities {

  private CertificateAuthorities() {
  }

  /**
   * Starts a CA: {@code local} loads (or creates, on first start) the root in the data directory and makes this
   * cluster's intermediate; {@code vault} logs in and has Vault sign the intermediate; {@code vault-sign} logs in.
   * The future fails with a {@link CaException} when the CA cannot serve.
   */
  public static Future<CertificateAuthority> start(Vertx vertx, CaConfig config, MeterRegistry registry) {
    return switch (config.mode()) {
      case LOCAL -> LocalCertificateAuthority.start(vertx, config, registry);
      case VAULT, VAULT_SIGN -> VaultAuthorities.start(vertx, config, registry);
    };
  }
}
