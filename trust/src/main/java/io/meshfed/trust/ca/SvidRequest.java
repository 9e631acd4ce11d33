package io.meshfed.trust.ca;

import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import java.io.IOException;
import java.security.KeyPair;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The workload side of issuance: a fresh key pair and a CSR for one SPIFFE ID. Send {@link #csrPem()} to a CA
 * (locally {@link CertificateAuthority#sign}, remotely the control plane's CA service) and turn the answer into an
 * {@link Svid} with {@link #complete}. {@link #toString()} never prints the key.
 */
public record SvidRequest(SpiffeId identity, KeyPair keyPair, String csrPem) {

  public SvidRequest {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(keyPair, "keyPair");
    Objects.requireNonNull(csrPem, "csrPem");
  }

  /** Generates a key of {@code algorithm} and a CSR for {@code identity}. CPU-bound: call it off the event loop. */
  public static SvidRequest create(SpiffeId identity, KeyAlgorithm algorithm) {
    KeyPair keyPair = algorithm.generate();
    return new SvidRequest(identity, keyPair, csr(identity, keyPair, algorithm.signatureAlgorithm()));
  }

  /** The SVID made of this request's key and the CA's answer. */
  public Svid complete(IssuedCertificate issued) {
    return new Svid(keyPair.getPrivate(), issued.chain(), issued.bundle());
  }

  static String csr(SpiffeId identity, KeyPair keyPair, String signatureAlgorithm) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())));
      var request = new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
          keyPair.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate()));
      return Pem.encode("CERTIFICATE REQUEST", request.getEncoded());
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a CSR for " + identity, e);
    }
  }

  @Override
  public String toString() {
    return "SvidRequest{" + identity + ", key=" + keyPair.getPublic().getAlgorithm() + " (redacted)}";
  }
}
