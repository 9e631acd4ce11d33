package io.meshfed.trust;

import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway PKI for tests: a root, an intermediate under it, and leaves good or deliberately broken. */
public final class TestPki {

  public final TrustDomain trustDomain;
  public final KeyPair rootKey;
  public final X509Certificate root;
  public final KeyPair intermediateKey;
  public final X509Certificate intermediate;
  public final TrustBundle bundle;
  public final IntermediateSigner signer;

  public TestPki(String trustDomain, String... aliases) {
    this.trustDomain = TrustDomain.of(trustDomain);
    this.rootKey = KeyAlgorithm.EC_P256.generate();
    this.root = CaCertificates.selfSignedRoot(rootKey, this.trustDomain, "test root", Duration.ofDays(10));
    this.intermediateKey = KeyAlgorithm.EC_P256.generate();
    this.intermediate = CaCertificates.intermediate(intermediateKey.getPublic(), this.trustDomain,
        "test intermediate", Duration.ofDays(5), root, rootKey.getPrivate());
    TrustBundle.Builder builder = TrustBundle.builder(this.trustDomain).addRoot(root);
    for (String alias : aliases) {
      builder.alias(alias);
    }
    this.bundle = builder.build();
    this.signer = IntermediateSigner.create(intermediateKey.getPrivate(), List.of(intermediate), bundle);
  }

  /** A valid SVID for {@code id}, signed by the intermediate. */
  public Svid svid(SpiffeId id, Duration ttl) {
    SvidRequest request = SvidRequest.create(id, KeyAlgorithm.EC_P256);
    return request.complete(signer.sign(CertificateRequest.parse(request.csrPem()), id, ttl));
  }

  /** A valid SVID for {@code spiffe://<td>/ns/<ns>/sa/<sa>}. */
  public Svid svid(String namespace, String serviceAccount) {
    return svid(SpiffeId.of(trustDomain.name(), namespace, serviceAccount), Duration.ofHours(1));
  }

  /**
   * A leaf signed by the intermediate with exactly the given URI SANs (none, several, anything), validity and CA
   * flag: for the cases the real signer refuses to make.
   */
  public X509Certificate leaf(List<String> uriSans, Instant notBefore, Instant notAfter, boolean ca) {
    return leaf(uriSans, notBefore, notAfter, ca, intermediate, intermediateKey.getPrivate());
  }

  public static X509Certificate leaf(List<String> uriSans, Instant notBefore, Instant notAfter, boolean ca,
      X509Certificate issuer, PrivateKey issuerKey) {
    try {
      KeyPair key = KeyAlgorithm.EC_P256.generate();
      var builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
          BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
          new X500Name("CN=test leaf"), key.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
              | (ca ? KeyUsage.keyCertSign : 0)));
      if (!uriSans.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(uriSans.stream()
            .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri)).toArray(GeneralName[]::new)));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A chain of a good-looking leaf for {@code uri}: leaf then intermediate. */
  public List<X509Certificate> chain(String uri) {
    Instant now = Instant.now();
    return List.of(leaf(List.of(uri), now.minusSeconds(60), now.plusSeconds(3600), false), intermediate);
  }
}
