package io.meshfed.control.plane.webhook;

import io.meshfed.trust.Pem;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's serving certificate in the chart's {@code controlPlane} mode. The API server checks it as a host
 * name certificate ({@code meshfed-control-plane.<ns>.svc}), which an SVID (a URI SAN only) is not, so the control
 * plane keeps a small CA of its own for it in {@code <dataDir>/webhook} (key 0600, reused across restarts so the
 * {@code caBundle} stays put) and issues a one-year DNS certificate at each start. The CA's certificate is what goes
 * into {@code caBundle}.
 */
final class WebhookCertificates {

  static final String DIRECTORY = "webhook";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The CA certificate (for caBundle) and a serving key + chain. */
  record Issued(X509Certificate ca, PrivateKey key, List<X509Certificate> chain) {
  }

  private WebhookCertificates() {
  }

  /** Loads or creates the CA in {@code dataDir}, then issues a serving certificate for {@code dnsNames}. Blocking. */
  static Issued issue(Path dataDir, TrustDomain trustDomain, List<String> dnsNames) throws IOException {
    Path directory = dataDir.resolve(DIRECTORY);
    Path keyFile = directory.resolve("ca-key.pem");
    Path certFile = directory.resolve("ca-cert.pem");
    PrivateKey caKey;
    X509Certificate ca;
    if (Files.exists(keyFile) && Files.exists(certFile)) {
      caKey = Pem.privateKey(Files.readString(keyFile, StandardCharsets.UTF_8), keyFile.toString());
      ca = Pem.certificates(Files.readString(certFile, StandardCharsets.UTF_8), certFile.toString()).get(0);
    } else {
      Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
          "rwx------")));
      KeyPair pair = KeyAlgorithm.EC_P256.generate();
      caKey = pair.getPrivate();
      ca = CaCertificates.selfSignedRoot(pair, trustDomain, "meshfed webhook CA", Duration.ofDays(3650));
      Files.writeString(keyFile, Pem.encodePrivateKey(caKey), StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(certFile, Pem.encodeCertificates(List.of(ca)), StandardCharsets.UTF_8);
    }
    KeyPair serving = KeyAlgorithm.EC_P256.generate();
    X509Certificate leaf = leaf(serving, ca, caKey, dnsNames);
    return new Issued(ca, serving.getPrivate(), List.of(leaf, ca));
  }

  private static X509Certificate leaf(KeyPair serving, X509Certificate ca, PrivateKey caKey, List<String> dnsNames) {
    Instant now = Instant.now();
    Instant notAfter = now.plus(Duration.ofDays(365));
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
      notAfter = ca.getNotAfter().toInstant();
    }
    try {
      GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
          .toArray(GeneralName[]::new);
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), new BigInteger(128, RANDOM).setBit(127),
          Date.from(now.minusSeconds(30)), Date.from(notAfter), new X500Name("CN=" + dnsNames.get(0)),
          serving.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder(KeyAlgorithm.EC_P256.signatureAlgorithm()).build(caKey)));
    } catch (OperatorCreationException | java.security.cert.CertificateException
        | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("webhook certificate: " + e.getMessage(), e);
    }
  }
}
