package io.meshfed.trust.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class CertificateRequestTest {

  private static final SpiffeId REVIEWS = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");

  @Test
  void parsesAWellFormedCsr() {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    CertificateRequest csr = CertificateRequest.parse(request.csrPem());
    assertThat(csr.requestedIdentity()).isEqualTo(REVIEWS);
    assertThat(csr.publicKey()).isEqualTo(request.keyPair().getPublic());
    assertThat(csr.requireIdentity(REVIEWS)).isSameAs(csr);
  }

  @Test
  void acceptsRsa2048() {
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.RSA_2048);
    assertThat(CertificateRequest.parse(request.csrPem()).publicKey().getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void csrForAnotherIdentityThanTheCallersIsRefused() {
    SvidRequest request = SvidRequest.create(SpiffeId.parse("spiffe://cluster.local/ns/kube-system/sa/admin"),
        KeyAlgorithm.EC_P256);
    assertThatThrownBy(() -> CertificateRequest.parse(request.csrPem()).requireIdentity(REVIEWS))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.IDENTITY_MISMATCH))
        .hasMessage("csr: asks for spiffe://cluster.local/ns/kube-system/sa/admin but the caller proved "
            + REVIEWS + " (expected: a CSR whose URI SAN is the caller's own SPIFFE ID)");
  }

  @Test
  void malformedCsrsAreClearErrors() {
    assertMalformed("", "csr: empty");
    assertMalformed("not a csr", "csr: no PEM block");
    String good = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256).csrPem();
    assertMalformed(good.substring(0, good.length() - 40), "csr: truncated PEM");
    assertMalformed(Pem.encode("CERTIFICATE REQUEST", new byte[] {1, 2, 3}), "not a PKCS#10 certification request");
    assertMalformed(good.replace("CERTIFICATE REQUEST", "CERTIFICATE"), "expected: one CERTIFICATE REQUEST block");
  }

  @Test
  void tamperedCsrFailsProofOfPossession() {
    String good = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256).csrPem();
    byte[] der = Pem.blocks(good, "csr").get(0).der();
    // Flip a bit inside the URI SAN: the structure still parses, the signature no longer matches.
    String uri = REVIEWS.toString();
    int at = new String(der, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(uri);
    der[at + uri.length() - 1] ^= 0x01;
    assertMalformed(Pem.encode("CERTIFICATE REQUEST", der), "its signature does not verify");
  }

  @Test
  void csrWithoutASpiffeUriIsRefused() throws Exception {
    KeyPair keyPair = KeyAlgorithm.EC_P256.generate();
    var noSan = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
        new org.bouncycastle.asn1.x500.X500Name("CN=reviews"), keyPair.getPublic())
        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
            .build(keyPair.getPrivate()));
    assertMalformed(Pem.encode("CERTIFICATE REQUEST", noSan.getEncoded()), "0 URI SAN(s) [] (expected: exactly one");
  }

  @Test
  void csrWithANonSpiffeUriIsRefused() {
    String bad = badUriCsr(KeyAlgorithm.EC_P256.generate(), "https://reviews.bookinfo");
    assertMalformed(bad, "csr: URI SAN: SPIFFE ID \"https://reviews.bookinfo\": scheme https");
  }

  @Test
  void weakOrUnsupportedKeysAreRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    KeyPair weak = rsa.generateKeyPair();
    assertThatThrownBy(() -> CertificateRequest.parse(SvidRequest.csr(REVIEWS, weak, "SHA256withRSA")))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.UNSUPPORTED_KEY))
        .hasMessage("csr: RSA key of 1024 bits (expected: 2048 to 4096 bits)");
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp521r1"));
    KeyPair p521 = ec.generateKeyPair();
    assertThatThrownBy(() -> CertificateRequest.parse(SvidRequest.csr(REVIEWS, p521, "SHA512withECDSA")))
        .hasMessage("csr: ECDSA key on a 521-bit curve (expected: P-256, or P-384)");
  }

  private static String badUriCsr(KeyPair keyPair, String uri) {
    try {
      var extensions = new org.bouncycastle.asn1.x509.ExtensionsGenerator();
      extensions.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, true,
          new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
              org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, uri)));
      var request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
          new org.bouncycastle.asn1.x500.X500Name("CN=x"), keyPair.getPublic())
          .addAttribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
              extensions.generate())
          .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
              .build(keyPair.getPrivate()));
      return Pem.encode("CERTIFICATE REQUEST", request.getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertMalformed(String pem, String message) {
    assertThatThrownBy(() -> CertificateRequest.parse(pem))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.MALFORMED_CSR))
        .hasMessageContaining(message);
  }
}
