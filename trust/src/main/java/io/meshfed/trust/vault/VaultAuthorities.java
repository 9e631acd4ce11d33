package io.meshfed.trust.vault;

import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthority;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Vault-backed CAs ({@link CaMode#VAULT}, {@link CaMode#VAULT_SIGN}). */
public final class VaultAuthorities {

  private static final Logger log = LoggerFactory.getLogger(VaultAuthorities.class);

  private VaultAuthorities() {
  }

  /** Logs in, bootstraps if configured, then makes the intermediate (vault) or loads the roots (vault-sign). */
  public static Future<CertificateAuthority> start(Vertx vertx, CaConfig config, MeterRegistry registry) {
    if (config.mode() == CaMode.LOCAL) {
      return Future.failedFuture(new IllegalArgumentException("mode: local (expected: vault or vault-sign)"));
    }
    VaultClient client = new VaultClient(vertx, config.vault(), registry);
    Future<Void> ready = client.start();
    if (config.vault().bootstrap()) {
      ready = ready.compose(v -> new VaultBootstrap(client, config.trustDomain()).ensure())
          .map(actions -> {
            actions.forEach(action -> log.info("vault bootstrap: {}", action));
            return null;
          });
    }
    Future<CertificateAuthority> started = ready.compose(v -> config.mode() == CaMode.VAULT
        ? VaultIntermediateAuthority.start(vertx, client, config, registry)
        : VaultSignAuthority.start(vertx, client, config, registry));
    return started.recover(e -> client.close().transform(closed -> Future.failedFuture(e)));
  }
}
