package io.meshfed.gateway.eastwest.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpiffePeerVerifierTest {

  private final TestPki mesh = TestPki.create("mesh");
  private final TestPki foreign = TestPki.create("foreign");
  private final PeerValidation validation = new PeerValidation(new TrustBundle("ROOTCA", List.of(mesh.root())),
      List.of(StringMatch.prefix("spiffe://cluster.local/")));

  private static PeerRejectedException.Reason reasonOf(PeerVerifier verifier, List<java.security.cert.X509Certificate> chain) {
    try {
      verifier.verify(chain);
      return null;
    } catch (PeerRejectedException e) {
      return e.reason();
    }
  }

  @Test
  void acceptsAChainToTheBundleWithAnAcceptedTrustDomain() throws Exception {
    PeerIdentity identity = new SpiffePeerVerifier(validation)
        .verify(mesh.issue("spiffe://cluster.local/ns/default/sa/a").chain());
    assertThat(identity.principal()).isEqualTo("spiffe://cluster.local/ns/default/sa/a");
    assertThat(identity.trustDomain()).isEqualTo("cluster.local");
    assertThat(identity.namespace()).isEqualTo("default");
  }

  @Test
  void namesWhyAChainIsRefused() {
    SpiffePeerVerifier verifier = new SpiffePeerVerifier(validation);
    assertThat(reasonOf(verifier, foreign.issue("spiffe://cluster.local/ns/default/sa/a").chain()))
        .isEqualTo(PeerRejectedException.Reason.UNTRUSTED_CHAIN);
    assertThat(reasonOf(verifier, mesh.issue("spiffe://other/ns/default/sa/a").chain()))
        .isEqualTo(PeerRejectedException.Reason.SAN_MISMATCH);
    assertThat(reasonOf(verifier, List.of())).isEqualTo(PeerRejectedException.Reason.NO_CERTIFICATE);
    // A leaf without its intermediate does not build to the root.
    assertThat(reasonOf(verifier, List.of(mesh.issue("spiffe://cluster.local/ns/d/sa/a").chain().get(0))))
        .isEqualTo(PeerRejectedException.Reason.UNTRUSTED_CHAIN);
  }

  @Test
  void appendedRootIsTolerated() throws Exception {
    List<java.security.cert.X509Certificate> chain = new ArrayList<>(
        mesh.issue("spiffe://cluster.local/ns/d/sa/a").chain());
    chain.add(mesh.root());
    assertThat(new SpiffePeerVerifier(validation).verify(chain).principal()).endsWith("/sa/a");
  }

  @Test
  void rememberedChainsExpireWithTheirCertificates() throws Exception {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    SpiffePeerVerifier verifier = new SpiffePeerVerifier(validation, 16, now::get);
    var chain = mesh.issue("spiffe://cluster.local/ns/d/sa/a").chain();
    verifier.verify(chain);
    verifier.verify(chain);
    now.set(chain.get(0).getNotAfter().getTime() + 1000);
    assertThatThrownBy(() -> verifier.verify(chain)).isInstanceOfSatisfying(PeerRejectedException.class,
        e -> assertThat(e.reason()).isEqualTo(PeerRejectedException.Reason.UNTRUSTED_CHAIN));
  }

  @Test
  void aRememberedChainIsNotTrustedByAVerifierOfAnotherBundle() {
    var chain = mesh.issue("spiffe://cluster.local/ns/d/sa/a").chain();
    PeerValidation foreignOnly = new PeerValidation(new TrustBundle("ROOTCA", List.of(foreign.root())),
        List.of());
    assertThat(reasonOf(new SpiffePeerVerifier(validation), chain)).isNull();
    assertThat(reasonOf(new SpiffePeerVerifier(foreignOnly), chain))
        .isEqualTo(PeerRejectedException.Reason.UNTRUSTED_CHAIN);
  }
}
