package io.meshfed.trust.vault;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CaMetrics;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IssuedCertificate;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CaMode#VAULT_SIGN}: every leaf is signed by Vault ({@code sign/<role>}, a role with {@code no_store}), so no
 * CA key ever leaves Vault. meshfed still checks the CSR against the caller's proved identity first and passes that
 * identity as the only URI SAN, then verifies Vault's answer against the bundle before returning it.
 */
final class VaultSignAuthority implements CertificateAuthority {

  private static final Logger log = LoggerFactory.getLogger(VaultSignAuthority.class);
  /** How often the roots are re-read, so a root rotation done in Vault reaches the bundle. */
  private static final Duration ROOT_REFRESH = Duration.ofMinutes(5);

  private final Vertx vertx;
  private final Context context;
  private final VaultClient client;
  private final VaultPki pki;
  private final CaConfig config;
  private final CaMetrics metrics;
  private volatile TrustBundle bundle;
  private volatile boolean closed;
  private long timer = -1;

  private VaultSignAuthority(Vertx vertx, VaultClient client, CaConfig config, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.pki = new VaultPki(client);
    this.config = config;
    this.metrics = new CaMetrics(registry, CaMode.VAULT_SIGN);
  }

  static Future<CertificateAuthority> start(Vertx vertx, VaultClient client, CaConfig config,
      MeterRegistry registry) {
    VaultSignAuthority ca = new VaultSignAuthority(vertx, client, config, registry);
    return ca.refreshRoots().map(bundle -> {
      log.info("vault-sign CA: leaves signed by Vault role {} in {}, bundle {}", config.vault().role(),
          config.vault().pkiMount(), bundle);
      ca.context.runOnContext(v -> ca.scheduleRefresh());
      return ca;
    });
  }

  @Override
  public Future<IssuedCertificate> sign(String csrPem, SpiffeId caller, Duration ttl) {
    if (closed) {
      return Future.failedFuture(new CaException(CaException.Reason.CLOSED, "vault-sign CA is closed"));
    }
    Future<IssuedCertificate> signing = vertx.executeBlocking(() -> {
      CertificateRequest.parse(csrPem).requireIdentity(caller);
      if (!bundle.accepts(caller.trustDomain())) {
        throw new CaException(CaException.Reason.WRONG_TRUST_DOMAIN, "csr: " + caller + " is in trust domain "
            + caller.trustDomain() + " (expected one of " + bundle.acceptedTrustDomains() + ")");
      }
      return config.leafTtl(ttl);
    }, false).compose(leafTtl -> pki.signLeaf(config.vault().role(), csrPem, caller, leafTtl))
        .compose(signed -> issued(signed, caller));
    return metrics.record(signing);
  }

  @Override
  public TrustBundle trustBundle() {
    return bundle;
  }

  @Override
  public CaMode mode() {
    return CaMode.VAULT_SIGN;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return Future.<Void>future(promise -> context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      promise.complete();
    })).compose(v -> client.close());
  }

  /** The chain Vault returned, checked: it must verify under the bundle and name exactly the caller. */
  private Future<IssuedCertificate> issued(VaultPki.Signed signed, SpiffeId caller) {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(signed.certificate());
    List<X509Certificate> roots = new ArrayList<>();
    for (X509Certificate certificate : signed.caChain()) {
      (VaultIntermediateAuthority.isSelfSigned(certificate) ? roots : chain).add(certificate);
    }
    Future<TrustBundle> current = bundle.roots().containsAll(roots) ? Future.succeededFuture(bundle) : refreshRoots();
    return current.map(trust -> {
      PeerVerification check = trust.verify(chain);
      if (!(check instanceof PeerVerification.Verified verified) || !verified.peer().equals(caller)) {
        throw new CaException(CaException.Reason.REJECTED_BY_BACKEND, "vault: sign/" + config.vault().role()
            + " returned a certificate that is not a valid SVID for " + caller + ": " + check);
      }
      return new IssuedCertificate(chain, trust);
    });
  }

  private Future<TrustBundle> refreshRoots() {
    return pki.roots().map(roots -> {
      if (roots.isEmpty()) {
        throw new CaException(CaException.Reason.MISCONFIGURED, "vault: no root issuer in "
            + config.vault().pkiMount() + " (expected: a root; enable bootstrap or run `vault write "
            + config.vault().pkiMount() + "/root/generate/internal ...`)");
      }
      TrustBundle.Builder builder = TrustBundle.builder(config.trustDomain()).addRoots(roots);
      config.aliases().forEach(builder::alias);
      TrustBundle refreshed = builder.build();
      bundle = refreshed;
      return refreshed;
    });
  }

  private void scheduleRefresh() {
    if (closed) {
      return;
    }
    timer = vertx.setTimer(ROOT_REFRESH.toMillis(), id -> refreshRoots().onComplete(result -> {
      if (result.failed()) {
        log.warn("vault-sign CA: cannot refresh roots, keeping {}: {}", bundle, result.cause().getMessage());
      }
      scheduleRefresh();
    }));
  }
}
