package io.meshfed.trust.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TestPki;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IntermediateSignerTest {

  private static final TestPki PKI = new TestPki("cluster.local", "legacy.local");
  private static final SpiffeId REVIEWS = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");

  @Test
  void issuedLeafIsAnX509SvidForBothClientAndServerAuth() throws Exception {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    IssuedCertificate issued = PKI.signer.sign(CertificateRequest.parse(request.csrPem()), REVIEWS,
        Duration.ofHours(24));
    X509Certificate leaf = issued.leaf();
    assertThat(issued.chain()).containsExactly(leaf, PKI.intermediate);
    assertThat(issued.bundle()).isEqualTo(PKI.bundle);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(leaf.getKeyUsage()[5]).as("keyCertSign").isFalse();
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17"); // SAN critical: the subject is empty
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(24).plusSeconds(30));
    Svid svid = request.complete(issued);
    assertThat(svid.spiffeId()).isEqualTo(REVIEWS);
    assertThat(PKI.bundle.verify(svid.chain()).verified()).isTrue();
  }

  @Test
  void rsaLeavesAlsoGetKeyEncipherment() {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.RSA_2048);
    X509Certificate leaf = PKI.signer.sign(CertificateRequest.parse(request.csrPem()), REVIEWS, Duration.ofHours(1))
        .leaf();
    assertThat(leaf.getKeyUsage()[2]).as("keyEncipherment").isTrue();
  }

  @Test
  void leavesNeverOutliveTheIntermediate() {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    X509Certificate leaf = PKI.signer.sign(CertificateRequest.parse(request.csrPem()), REVIEWS,
        Duration.ofDays(365)).leaf();
    assertThat(leaf.getNotAfter()).isEqualTo(PKI.intermediate.getNotAfter());
  }

  @Test
  void signingChecksTheIdentityAndTrustDomainItself() {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    CertificateRequest csr = CertificateRequest.parse(request.csrPem());
    assertThatThrownBy(() -> PKI.signer.sign(csr, SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b"),
        Duration.ofHours(1)))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.IDENTITY_MISMATCH));
    SpiffeId foreign = SpiffeId.parse("spiffe://other.mesh/ns/a/sa/b");
    CertificateRequest foreignCsr = CertificateRequest.parse(SvidRequest.create(foreign, KeyAlgorithm.EC_P256).csrPem());
    assertThatThrownBy(() -> PKI.signer.sign(foreignCsr, foreign, Duration.ofHours(1)))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.WRONG_TRUST_DOMAIN))
        .hasMessageContaining("expected one of [cluster.local, legacy.local]");
    SpiffeId alias = SpiffeId.parse("spiffe://legacy.local/ns/a/sa/b");
    CertificateRequest aliasCsr = CertificateRequest.parse(SvidRequest.create(alias, KeyAlgorithm.EC_P256).csrPem());
    assertThat(PKI.signer.sign(aliasCsr, alias, Duration.ofHours(1)).leaf()).isNotNull();
  }

  @Test
  void refusesANonCaIssuer() {
    X509Certificate leaf = PKI.chain("spiffe://cluster.local/ns/a/sa/b").get(0);
    assertThatThrownBy(() -> IntermediateSigner.create(PKI.intermediateKey.getPrivate(), java.util.List.of(leaf),
        PKI.bundle)).hasMessageContaining("is not a CA certificate");
  }

  @Test
  void caConfigChecksTtls() {
    CaConfig config = CaConfig.builder(CaMode.LOCAL).dataDirectory(java.nio.file.Path.of("x")).build();
    assertThat(config.leafTtl(null)).isEqualTo(Duration.ofHours(24));
    assertThat(config.leafTtl(Duration.ofHours(2))).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> config.leafTtl(Duration.ofDays(8)))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.INVALID_TTL))
        .hasMessage("ttl: PT192H (expected: between 1s and PT168H)");
    assertThatThrownBy(() -> CaConfig.builder(CaMode.LOCAL).build())
        .hasMessageContaining("dataDirectory: null");
    assertThatThrownBy(() -> CaConfig.builder(CaMode.VAULT).build()).hasMessageContaining("vault: null");
    assertThatThrownBy(() -> CaConfig.builder(CaMode.LOCAL).clusterId("East_1"))
        .hasMessage("clusterId: East_1 (expected: a DNS-1123 label such as east or cluster-1)");
    assertThatThrownBy(() -> CaConfig.builder(CaMode.LOCAL).dataDirectory(java.nio.file.Path.of("x"))
        .intermediateTtl(Duration.ofDays(1)).build()).hasMessageContaining("intermediateTtl: PT24H");
    assertThat(CaMode.parse("vault-sign")).isEqualTo(CaMode.VAULT_SIGN);
    assertThatThrownBy(() -> CaMode.parse("istiod")).hasMessage("ca mode: istiod (expected: local, vault, vault-sign)");
  }
}
