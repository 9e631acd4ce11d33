package io.meshfed.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustBundleTest {

  private static final TestPki PKI = new TestPki("cluster.local", "legacy.local");
  private static final Instant NOW = Instant.now();

  @Test
  void verifiesChainAndReturnsThePeerIdentity() {
    Svid svid = PKI.svid("bookinfo", "reviews");
    PeerVerification result = PKI.bundle.verify(svid.chain());
    assertThat(result).isInstanceOfSatisfying(PeerVerification.Verified.class, verified -> {
      assertThat(verified.peer()).hasToString("spiffe://cluster.local/ns/bookinfo/sa/reviews");
      assertThat(verified.leaf()).isEqualTo(svid.leaf());
    });
  }

  @Test
  void acceptsConfiguredTrustDomainAliasesUnderTheSameRoot() {
    assertThat(PKI.bundle.verify(PKI.chain("spiffe://legacy.local/ns/a/sa/b")).verified()).isTrue();
  }

  @Test
  void rightRootWrongTrustDomainIsRejected() {
    assertRejected(PKI.bundle.verify(PKI.chain("spiffe://other.mesh/ns/a/sa/b")), RejectReason.WRONG_TRUST_DOMAIN,
        "spiffe://other.mesh/ns/a/sa/b is in trust domain other.mesh (expected one of [cluster.local, legacy.local])");
  }

  @Test
  void chainFromAForeignRootIsRejectedEvenWithTheSameNames() {
    TestPki foreign = new TestPki("cluster.local");
    assertRejected(PKI.bundle.verify(foreign.svid("a", "b").chain()), RejectReason.FOREIGN_ROOT,
        "none of the 1 bundle root(s)");
  }

  @Test
  void expiredAndNotYetValidLeavesAreRejected() {
    X509Certificate expired = PKI.leaf(List.of("spiffe://cluster.local/ns/a/sa/b"), NOW.minusSeconds(7200),
        NOW.minusSeconds(3600), false);
    assertRejected(PKI.bundle.verify(List.of(expired, PKI.intermediate)), RejectReason.EXPIRED, "expired at");
    X509Certificate future = PKI.leaf(List.of("spiffe://cluster.local/ns/a/sa/b"), NOW.plusSeconds(3600),
        NOW.plusSeconds(7200), false);
    assertRejected(PKI.bundle.verify(List.of(future, PKI.intermediate)), RejectReason.NOT_YET_VALID, "valid from");
  }

  @Test
  void validChainIsRejectedWhenCheckedPastItsExpiry() {
    Svid svid = PKI.svid(SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b"), Duration.ofMinutes(5));
    assertRejected(PKI.bundle.verify(svid.chain(), NOW.plus(Duration.ofHours(1))), RejectReason.EXPIRED, "expired");
  }

  @Test
  void leafWithoutOrWithSeveralOrMalformedUriSansIsRejected() {
    Instant from = NOW.minusSeconds(60);
    Instant to = NOW.plusSeconds(600);
    assertRejected(PKI.bundle.verify(List.of(PKI.leaf(List.of(), from, to, false), PKI.intermediate)),
        RejectReason.NO_URI_SAN, "has no URI SAN");
    assertRejected(PKI.bundle.verify(List.of(PKI.leaf(List.of("spiffe://cluster.local/ns/a/sa/b",
        "spiffe://cluster.local/ns/a/sa/c"), from, to, false), PKI.intermediate)),
        RejectReason.MULTIPLE_URI_SANS, "URI SANs [");
    assertRejected(PKI.bundle.verify(List.of(PKI.leaf(List.of("spiffe://cluster.local/workload/b"), from, to,
        false), PKI.intermediate)), RejectReason.MALFORMED_SPIFFE_ID, "expected: /ns/<namespace>/sa/<service-account>");
  }

  @Test
  void caCertificateAsLeafAndEmptyChainsAreRejected() {
    X509Certificate ca = PKI.leaf(List.of("spiffe://cluster.local/ns/a/sa/b"), NOW.minusSeconds(60),
        NOW.plusSeconds(600), true);
    assertRejected(PKI.bundle.verify(List.of(ca, PKI.intermediate)), RejectReason.NOT_A_LEAF, "is a CA certificate");
    assertRejected(PKI.bundle.verify(List.of()), RejectReason.NO_CERTIFICATE, "empty certificate chain");
    assertRejected(PKI.bundle.verify(List.of(PKI.root)), RejectReason.NOT_A_LEAF, "is a CA certificate");
  }

  @Test
  void missingIntermediateIsRejected() {
    List<X509Certificate> chain = PKI.chain("spiffe://cluster.local/ns/a/sa/b");
    assertRejected(PKI.bundle.verify(chain.subList(0, 1)), RejectReason.FOREIGN_ROOT,
        "an intermediate missing from the chain");
  }

  @Test
  void peerThatAlsoSendsTheRootIsVerified() {
    List<X509Certificate> chain = new ArrayList<>(PKI.svid("a", "b").chain());
    chain.add(PKI.root);
    assertThat(PKI.bundle.verify(chain).verified()).isTrue();
  }

  @Test
  void twoRootsAtOnceVerifyLeavesOfBothDuringRootRotation() {
    TestPki next = new TestPki("cluster.local");
    TrustBundle both = PKI.bundle.withAdditionalRoots(List.of(next.root));
    assertThat(both.roots()).containsExactly(PKI.root, next.root);
    assertThat(both.verify(PKI.svid("a", "old").chain()).verified()).isTrue();
    assertThat(both.verify(next.svid("a", "new").chain()).verified()).isTrue();
    assertThat(both.acceptedTrustDomains()).isEqualTo(PKI.bundle.acceptedTrustDomains());
  }

  @Test
  void builderRejectsNonCaRootsAndEmptyBundles() {
    X509Certificate leaf = PKI.chain("spiffe://cluster.local/ns/a/sa/b").get(0);
    assertThatThrownBy(() -> TrustBundle.builder("cluster.local").addRoot(leaf))
        .hasMessageContaining("expected: a CA certificate");
    assertThatThrownBy(() -> TrustBundle.builder("cluster.local").build())
        .hasMessageContaining("roots: [] (expected: at least one root certificate for trust domain cluster.local)");
    assertThatThrownBy(() -> TrustBundle.builder("Bad").build()).hasMessageStartingWith("trust domain:");
  }

  @Test
  void rootsPemRoundTrips() {
    TrustBundle parsed = TrustBundle.builder("cluster.local").addRootsPem(PKI.bundle.rootsPem(), "roots").build();
    assertThat(parsed.roots()).containsExactly(PKI.root);
  }

  private static void assertRejected(PeerVerification result, RejectReason reason, String detail) {
    assertThat(result).isInstanceOfSatisfying(PeerVerification.Rejected.class, rejected -> {
      assertThat(rejected.reason()).isEqualTo(reason);
      assertThat(rejected.detail()).contains(detail);
    });
  }
}
