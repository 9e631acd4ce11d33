package io.meshfed.trust.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthorities;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault and vault-sign CAs, bootstrap and login against the Vault-API test double. */
class VaultCertificateAuthorityTest {

  private static final SpiffeId REVIEWS = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");
  private static final TrustDomain TRUST_DOMAIN = TrustDomain.of("cluster.local");

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private VaultApiDouble vault;
  private String address;

  @TempDir
  Path temp;

  @BeforeEach
  void startVault() throws Exception {
    vault = new VaultApiDouble(vertx);
    address = await(vault.start());
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void bootstrapCreatesMountRootAndRoleOnceAndIsIdempotent() throws Exception {
    List<String> first = await(VaultBootstrap.run(vertx, settings(token()).build(), TRUST_DOMAIN, registry));
    assertThat(first).containsExactly(
        "enabled the PKI secrets engine at pki/",
        "generated root \"meshfed root CA\" (key kept in Vault) in pki/",
        "created role meshfed-svid (allowed_uri_sans=spiffe://*, no_store=true)");
    List<String> second = await(VaultBootstrap.run(vertx, settings(token()).build(), TRUST_DOMAIN, registry));
    assertThat(second).isEmpty();
    assertThat(vault.issuerCount()).isEqualTo(1);
    assertThat(vault.calls("POST /v1/sys/mounts/pki")).isEqualTo(1);
    assertThat(vault.calls("POST /v1/pki/root/generate/internal")).isEqualTo(1);
    assertThat(vault.calls("POST /v1/pki/roles/meshfed-svid")).isEqualTo(1);
  }

  @Test
  void vaultModeHasVaultSignTheIntermediateAndSignsLeavesLocally() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT, settings(token()).bootstrap(true));
    IssuedCertificate issued = await(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(issued.chain()).hasSize(2);
    assertThat(issued.chain().get(1).getSubjectX500Principal().getName()).contains("meshfed intermediate east");
    assertThat(ca.trustBundle().roots()).hasSize(1);
    assertThat(ca.trustBundle().verify(issued.chain())).isInstanceOfSatisfying(PeerVerification.Verified.class,
        verified -> assertThat(verified.peer()).isEqualTo(REVIEWS));
    await(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(vault.calls("POST /v1/pki/root/sign-intermediate")).isEqualTo(1);
    assertThat(vault.calls("POST /v1/pki/sign/meshfed-svid")).isZero();
  }

  @Test
  void vaultSignModeHasVaultSignEveryLeafWithoutStoringIt() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(token()).bootstrap(true));
    for (int i = 0; i < 3; i++) {
      IssuedCertificate issued = await(ca.sign(csr(REVIEWS), REVIEWS, Duration.ofHours(2)));
      assertThat(issued.chain()).hasSize(1);
      assertThat(ca.trustBundle().verify(issued.chain()).verified()).isTrue();
      assertThat(Duration.between(issued.leaf().getNotBefore().toInstant(),
          issued.leaf().getNotAfter().toInstant())).isEqualTo(Duration.ofHours(2).plusSeconds(30));
    }
    assertThat(vault.calls("POST /v1/pki/sign/meshfed-svid")).isEqualTo(3);
    assertThat(vault.storedCertificates()).as("no_store role").isZero();
  }

  @Test
  void csrForAnotherIdentityIsRefusedBeforeReachingVault() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(token()).bootstrap(true));
    String forAdmin = csr(SpiffeId.parse("spiffe://cluster.local/ns/kube-system/sa/admin"));
    assertThat(failure(ca.sign(forAdmin, REVIEWS)).reason()).isEqualTo(CaException.Reason.IDENTITY_MISMATCH);
    assertThat(failure(ca.sign("-----BEGIN CERTIFICATE REQUEST-----\nAAAA", REVIEWS)).reason())
        .isEqualTo(CaException.Reason.MALFORMED_CSR);
    assertThat(vault.calls("POST /v1/pki/sign/meshfed-svid")).isZero();
  }

  @Test
  void badTokenIsA403PermissionDeniedThatNamesTheFixAndNotTheToken() throws Exception {
    CaException e = failure(CertificateAuthorities.start(vertx, config(CaMode.VAULT,
        settings(new VaultAuth.Token("hvs.wrong-token-value"))), registry));
    assertThat(e.reason()).isEqualTo(CaException.Reason.PERMISSION_DENIED);
    assertThat(e.getMessage()).contains("403 [permission denied]").contains("give meshfed a valid token")
        .doesNotContain("hvs.wrong-token-value");
  }

  @Test
  void appRoleLogsInAndLogsInAgainWhenVaultRevokesTheToken() throws Exception {
    await(VaultBootstrap.run(vertx, settings(token()).build(), TRUST_DOMAIN, registry));
    vault.addAppRole("role-1", "secret-1");
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(new VaultAuth.AppRole("role-1", "secret-1", null)));
    await(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(vault.calls("POST /v1/auth/approle/login")).isEqualTo(1);

    vault.revokeIssuedTokens();
    await(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(vault.calls("POST /v1/auth/approle/login")).isEqualTo(2);

    CaException wrong = failure(CertificateAuthorities.start(vertx, config(CaMode.VAULT_SIGN,
        settings(new VaultAuth.AppRole("role-1", "not-the-secret", null))), registry));
    assertThat(wrong.reason()).isEqualTo(CaException.Reason.REJECTED_BY_BACKEND);
    assertThat(wrong.getMessage()).contains("invalid role or secret ID").doesNotContain("not-the-secret");
  }

  @Test
  void kubernetesAuthReadsTheServiceAccountToken() throws Exception {
    await(VaultBootstrap.run(vertx, settings(token()).build(), TRUST_DOMAIN, registry));
    vault.addKubernetesRole("meshfed", "eyJhbGciOi.service-account.jwt");
    Path jwt = temp.resolve("token");
    Files.writeString(jwt, "eyJhbGciOi.service-account.jwt\n");
    CertificateAuthority ca = start(CaMode.VAULT, settings(new VaultAuth.Kubernetes("meshfed", jwt, null)));
    assertThat(await(ca.sign(csr(REVIEWS), REVIEWS)).chain()).hasSize(2);

    Files.writeString(jwt, "eyJhbGciOi.some-other-account");
    CaException refused = failure(CertificateAuthorities.start(vertx, config(CaMode.VAULT,
        settings(new VaultAuth.Kubernetes("meshfed", jwt, null))), registry));
    assertThat(refused.reason()).isEqualTo(CaException.Reason.PERMISSION_DENIED);
    assertThat(refused.getMessage()).contains("auth/kubernetes");
    CaException missing = failure(CertificateAuthorities.start(vertx, config(CaMode.VAULT,
        settings(new VaultAuth.Kubernetes("meshfed", temp.resolve("absent"), null))), registry));
    assertThat(missing.reason()).isEqualTo(CaException.Reason.MISCONFIGURED);
  }

  @Test
  void tokensAreRenewedAtHalfTheirLease() throws Exception {
    await(VaultBootstrap.run(vertx, settings(token()).build(), TRUST_DOMAIN, registry));
    vault.addAppRole("role-1", "secret-1");
    // Renewal at 3 s of a 6 s lease: a renewal late by up to 3 s (a stalled CI machine) still finds the token alive.
    vault.loginTtl(Duration.ofSeconds(6));
    start(CaMode.VAULT_SIGN, settings(new VaultAuth.AppRole("role-1", "secret-1", null)));
    // The fake Vault counts a renewal when it answers; the client counts it when the answer arrives, a moment later.
    waitFor(() -> {
      var renewed = registry.find("meshfed_vault_token_renewal").tag("result", "ok").counter();
      return vault.calls("POST /v1/auth/token/renew-self") >= 2 && renewed != null && renewed.count() >= 2;
    }, Duration.ofSeconds(20));
    assertThat(vault.calls("POST /v1/auth/approle/login")).isEqualTo(1);
  }

  @Test
  void vault5xxIsUnavailableAndTheNextRequestWorks() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(token()).bootstrap(true));
    vault.failNext(500, 1);
    CaException e = failure(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(e.reason()).isEqualTo(CaException.Reason.UNAVAILABLE);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("POST pki/sign/meshfed-svid: 500").contains("internal error");
    vault.sealed(true);
    assertThat(failure(ca.sign(csr(REVIEWS), REVIEWS)).getMessage()).contains("503").contains("Vault is sealed");
    vault.sealed(false);
    assertThat(await(ca.sign(csr(REVIEWS), REVIEWS)).chain()).hasSize(1);
  }

  @Test
  void slowVaultTimesOutAsUnavailable() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(token()).bootstrap(true)
        .requestTimeout(Duration.ofSeconds(1)));
    vault.delay(Duration.ofSeconds(4));
    CaException e = failure(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(e.reason()).isEqualTo(CaException.Reason.UNAVAILABLE);
    assertThat(e.getMessage()).contains("no answer from " + address + " within 1s");
  }

  @Test
  void vaultDownDoesNotStopTheIntermediateFromSigning() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT, settings(token()).bootstrap(true));
    vault.sealed(true);
    assertThat(ca.trustBundle().verify(await(ca.sign(csr(REVIEWS), REVIEWS)).chain()).verified()).isTrue();
  }

  @Test
  void rootRotatedInVaultPutsBothRootsInTheBundle() throws Exception {
    CertificateAuthority ca = start(CaMode.VAULT_SIGN, settings(token()).bootstrap(true));
    IssuedCertificate before = await(ca.sign(csr(REVIEWS), REVIEWS));
    vault.rotateRoot(TRUST_DOMAIN);
    IssuedCertificate after = await(ca.sign(csr(REVIEWS), REVIEWS));
    assertThat(after.bundle().roots()).hasSize(2);
    assertThat(after.bundle().verify(before.chain()).verified()).as("old leaves still verify").isTrue();
    assertThat(after.bundle().verify(after.chain()).verified()).isTrue();
    assertThat(ca.trustBundle().roots()).hasSize(2);
  }

  @Test
  void intermediateIsRenewedAtHalfLifeUnderTheNewRoot() throws Exception {
    CaConfig config = CaConfig.builder(CaMode.VAULT).trustDomain("cluster.local").clusterId("east")
        .defaultLeafTtl(Duration.ofSeconds(1)).maxLeafTtl(Duration.ofSeconds(1)).intermediateTtl(Duration.ofSeconds(4))
        .vault(settings(token()).bootstrap(true).build()).build();
    CertificateAuthority ca = await(CertificateAuthorities.start(vertx, config, registry));
    vault.rotateRoot(TRUST_DOMAIN);
    waitFor(() -> vault.calls("POST /v1/pki/root/sign-intermediate") >= 2, Duration.ofSeconds(15));
    waitFor(() -> ca.trustBundle().roots().size() == 2, Duration.ofSeconds(5));
  }

  @Test
  void settingsRejectBadValuesClearly() {
    assertThatThrownBy(() -> VaultSettings.builder("vault:8200")).hasMessage(
        "vault address: vault:8200 (expected: http(s)://host:port)");
    assertThatThrownBy(() -> VaultSettings.builder("http://vault:8200").pkiMount("/pki/"))
        .hasMessageStartingWith("vault pki mount: /pki/");
    assertThatThrownBy(() -> VaultSettings.builder("http://vault:8200").build())
        .hasMessageStartingWith("vault auth: none");
    assertThatThrownBy(() -> new VaultAuth.Token(" ")).hasMessageStartingWith("vault token: empty");
    assertThat(new VaultAuth.AppRole("r", "s3cret", null).toString()).doesNotContain("s3cret");
    assertThat(settings(token()).build().toString()).doesNotContain(VaultApiDouble.ROOT_TOKEN);
  }

  // ------------------------------------------------------------ helpers

  private CertificateAuthority start(CaMode mode, VaultSettings.Builder settings) throws Exception {
    return await(CertificateAuthorities.start(vertx, config(mode, settings), registry));
  }

  private CaConfig config(CaMode mode, VaultSettings.Builder settings) {
    return CaConfig.builder(mode).trustDomain("cluster.local").clusterId("east").vault(settings.build()).build();
  }

  private VaultSettings.Builder settings(VaultAuth auth) {
    // Generous: CI machines are shared and loaded; the timeout test sets its own.
    return VaultSettings.builder(address).auth(auth).requestTimeout(Duration.ofSeconds(10));
  }

  private static VaultAuth token() {
    return new VaultAuth.Token(VaultApiDouble.ROOT_TOKEN);
  }

  private static String csr(SpiffeId id) {
    return SvidRequest.create(id, KeyAlgorithm.EC_P256).csrPem();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static CaException failure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(CaException.class);
      return (CaException) e.getCause();
    }
    throw new AssertionError("expected the future to fail");
  }

  static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
