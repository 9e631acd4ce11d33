package io.meshfed.deploy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway self-signed CA certificate in PEM, standing in for the mesh root a remote cluster is given. */
final class TestRootCertificate {

  private TestRootCertificate() {
  }

  static String pem() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("O=meshfed test,CN=meshfed test root");
      Instant now = Instant.now();
      X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
          Date.from(now), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      StringWriter pem = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
        writer.writeObject(certificate);
      }
      return pem.toString();
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test root certificate", e);
    }
  }
}
