package io.meshfed.trust.vault;

import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CaMetrics;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.rotation.Backoff;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CaMode#VAULT}: this cluster's intermediate key is generated in memory and its CSR signed by the root in
 * Vault ({@code root/sign-intermediate}); leaves are signed locally. The intermediate is replaced at half life; while
 * Vault is down the current one keeps signing and renewal retries with capped backoff.
 *
 * <p>Owner: the context that started it (timers); the signer is published through a volatile field.
 */
final class VaultIntermediateAuthority implements CertificateAuthority {

  private static final Logger log = LoggerFactory.getLogger(VaultIntermediateAuthority.class);
  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.2);

  private final Vertx vertx;
  private final Context context;
  private final VaultClient client;
  private final VaultPki pki;
  private final CaConfig config;
  private final CaMetrics metrics;
  private volatile IntermediateSigner signer;
  private volatile boolean closed;
  private long timer = -1;
  private int failures;

  private VaultIntermediateAuthority(Vertx vertx, VaultClient client, CaConfig config, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.pki = new VaultPki(client);
    this.config = config;
    this.metrics = new CaMetrics(registry, CaMode.VAULT);
    Gauge.builder("meshfed_ca_intermediate_expiry_seconds", this,
            ca -> ca.signer == null ? 0 : Duration.between(Instant.now(), ca.signer.notAfter()).toSeconds())
        .description("seconds until this cluster's intermediate CA certificate expires")
        .tag("cluster", config.clusterId()).register(registry);
  }

  static Future<CertificateAuthority> start(Vertx vertx, VaultClient client, CaConfig config,
      MeterRegistry registry) {
    VaultIntermediateAuthority ca = new VaultIntermediateAuthority(vertx, client, config, registry);
    return ca.newIntermediate().map(signer -> {
      ca.signer = signer;
      log.info("vault CA for cluster {}: intermediate signed by Vault, valid until {}", config.clusterId(),
          signer.notAfter());
      ca.context.runOnContext(v -> ca.scheduleRenewal(null));
      return ca;
    });
  }

  @Override
  public Future<IssuedCertificate> sign(String csrPem, SpiffeId caller, Duration ttl) {
    if (closed) {
      return Future.failedFuture(new CaException(CaException.Reason.CLOSED, "vault CA is closed"));
    }
    IntermediateSigner current = signer;
    return metrics.record(vertx.executeBlocking(
        () -> current.sign(CertificateRequest.parse(csrPem), caller, config.leafTtl(ttl)), false));
  }

  @Override
  public TrustBundle trustBundle() {
    return signer.bundle();
  }

  @Override
  public CaMode mode() {
    return CaMode.VAULT;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return Future.<Void>future(promise -> context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      promise.complete();
    })).compose(v -> client.close());
  }

  /** A new key and CSR (worker), signed by Vault, with the roots Vault holds as the bundle. */
  Future<IntermediateSigner> newIntermediate() {
    return vertx.executeBlocking(() -> {
      KeyPair keyPair = KeyAlgorithm.EC_P256.generate();
      return new Object[] {keyPair, csr(keyPair)};
    }, false).compose(generated -> {
      KeyPair keyPair = (KeyPair) generated[0];
      return pki.signIntermediate((String) generated[1], commonName(), config.trustDomain(),
              config.intermediateTtl())
          .compose(signed -> pki.roots().map(roots -> {
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(signed.certificate());
            List<X509Certificate> allRoots = new ArrayList<>(roots);
            for (X509Certificate certificate : signed.caChain()) {
              if (isSelfSigned(certificate)) {
                allRoots.add(certificate);
              } else {
                chain.add(certificate);
              }
            }
            if (allRoots.isEmpty()) {
              throw new CaException(CaException.Reason.MISCONFIGURED, "vault: " + config.vault().pkiMount()
                  + " returned no root for the intermediate (expected: a root issuer in the mount)");
            }
            TrustBundle.Builder bundle = TrustBundle.builder(config.trustDomain()).addRoots(allRoots);
            config.aliases().forEach(bundle::alias);
            return IntermediateSigner.create(keyPair.getPrivate(), chain, bundle.build());
          }));
    });
  }

  /** On the context: renew at half life, or after {@code retryAfter} when the last attempt failed. */
  private void scheduleRenewal(Duration retryAfter) {
    if (closed) {
      return;
    }
    IntermediateSigner current = signer;
    Duration delay = retryAfter != null ? retryAfter : Duration.between(Instant.now(),
        current.notBefore().plus(Duration.between(current.notBefore(), current.notAfter()).dividedBy(2)));
    timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> newIntermediate().onComplete(result -> {
      if (result.succeeded()) {
        failures = 0;
        signer = result.result();
        log.info("vault CA for cluster {}: intermediate renewed, valid until {}", config.clusterId(),
            result.result().notAfter());
        scheduleRenewal(null);
      } else {
        Duration wait = RETRY.delay(failures++);
        log.warn("vault CA for cluster {}: cannot renew the intermediate (attempt {}), current one expires at {};"
            + " retrying in {}: {}", config.clusterId(), failures, signer.notAfter(), wait,
            result.cause().getMessage());
        scheduleRenewal(wait);
      }
    }));
  }

  private String commonName() {
    return "meshfed intermediate " + config.clusterId();
  }

  private String csr(KeyPair keyPair) {
    try {
      var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "meshfed " + config.trustDomain())
          .addRDN(BCStyle.CN, commonName()).build();
      var request = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
          .build(new JcaContentSignerBuilder(KeyAlgorithm.EC_P256.signatureAlgorithm()).build(keyPair.getPrivate()));
      return Pem.encode("CERTIFICATE REQUEST", request.getEncoded());
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the intermediate CSR", e);
    }
  }

  static boolean isSelfSigned(X509Certificate certificate) {
    if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(certificate.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
