package io.meshfed.trust.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthorities;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.meshfed.trust.rotation.RotatingSvid;
import io.meshfed.trust.rotation.RotationPolicy;
import io.meshfed.trust.rotation.SvidSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.vault.VaultContainer;

/**
 * The full flow against the real {@code hashicorp/vault} image in dev mode: bootstrap (twice: idempotent), the
 * intermediate CA, leaf issuance in both modes, SVID rotation, and a root rotation done in Vault that puts both roots
 * in the bundle. Skipped, and reported as skipped, where Docker is absent.
 */
@Testcontainers(disabledWithoutDocker = true)
class VaultContainerTest {

  private static final String ROOT_TOKEN = "meshfed-dev-root";
  private static final TrustDomain TRUST_DOMAIN = TrustDomain.of("cluster.local");
  private static final SpiffeId REVIEWS = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");

  @Container
  private static final VaultContainer<?> VAULT = new VaultContainer<>("hashicorp/vault:1.17")
      .withVaultToken(ROOT_TOKEN);

  private static final Vertx VERTX = Vertx.vertx();

  @AfterAll
  static void close() throws Exception {
    await(VERTX.close());
  }

  @Test
  void bootstrapIntermediateIssueAndRotate() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    VaultSettings settings = VaultSettings.builder(VAULT.getHttpHostAddress())
        .auth(new VaultAuth.Token(ROOT_TOKEN)).requestTimeout(Duration.ofSeconds(20)).build();

    assertThat(await(VaultBootstrap.run(VERTX, settings, TRUST_DOMAIN, registry))).hasSize(3);
    assertThat(await(VaultBootstrap.run(VERTX, settings, TRUST_DOMAIN, registry))).isEmpty();

    CertificateAuthority intermediate = await(CertificateAuthorities.start(VERTX,
        CaConfig.builder(CaMode.VAULT).clusterId("east").vault(settings).build(), registry));
    IssuedCertificate local = await(intermediate.sign(csr(), REVIEWS));
    assertThat(local.chain()).hasSize(2);
    assertThat(intermediate.trustBundle().verify(local.chain()).verified()).isTrue();

    CertificateAuthority vaultSign = await(CertificateAuthorities.start(VERTX,
        CaConfig.builder(CaMode.VAULT_SIGN).clusterId("east").vault(settings).build(), registry));
    IssuedCertificate signedByVault = await(vaultSign.sign(csr(), REVIEWS));
    assertThat(vaultSign.trustBundle().verify(signedByVault.chain()).verified()).isTrue();
    assertThat(vaultSign.trustBundle().verify(local.chain()).verified()).as("same root").isTrue();

    RotatingSvid holder = RotatingSvid.create(VERTX, SvidSource.fromAuthority(VERTX, intermediate, REVIEWS,
        KeyAlgorithm.EC_P256, Duration.ofHours(1)), RotationPolicy.DEFAULT, registry);
    Svid first = await(holder.start());
    Svid second = await(holder.rotateNow());
    assertThat(second.serial()).isNotEqualTo(first.serial());

    // Root rotation in Vault: a second root becomes the default issuer; both roots are trusted meanwhile.
    Vault driver = Vault.create(new VaultConfig().address(VAULT.getHttpHostAddress()).token(ROOT_TOKEN).build(), 1);
    var generated = driver.logical().write("pki/root/generate/internal", Map.of("common_name", "meshfed root CA 2",
        "key_type", "ec", "uri_sans", TRUST_DOMAIN.uri(), "ttl", "8760h", "issuer_name", "root-2"));
    driver.logical().write("pki/config/issuers", Map.of("default", generated.getData().get("issuer_id")));
    IssuedCertificate underNewRoot = await(vaultSign.sign(csr(), REVIEWS));
    assertThat(underNewRoot.bundle().roots()).hasSize(2);
    assertThat(underNewRoot.bundle().verify(signedByVault.chain()).verified()).isTrue();
    assertThat(underNewRoot.bundle().verify(underNewRoot.chain()).verified()).isTrue();
    assertThat(List.of(intermediate, vaultSign)).allSatisfy(ca -> await(ca.close()));
  }

  private static String csr() {
    return SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256).csrPem();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
