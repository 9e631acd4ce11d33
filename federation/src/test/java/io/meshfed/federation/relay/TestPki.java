package io.meshfed.federation.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA issuing X.509-SVIDs (one spiffe:// URI SAN), as the trust module will. */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final KeyPair caKey;
  private final X509Certificate caCert;

  public TestPki(String name) {
    try {
      caKey = keyPair();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(1, ChronoUnit.HOURS)),
          Date.from(Instant.now().plus(1, ChronoUnit.DAYS)), new X500Name("CN=" + name), caKey.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caCert = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SVID for {@code spiffeId}, with the TLS options and the rule a relay gets from the trust module. */
  public FederationTls svid(String spiffeId, String trustDomain) {
    try {
      KeyPair key = keyPair();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(1, ChronoUnit.HOURS)),
          Date.from(Instant.now().plus(1, ChronoUnit.DAYS)), new X500Name("O=meshfed"), key.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
      X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
      Buffer certPem = Buffer.buffer(pem(leaf) + pem(caCert));
      Buffer keyPem = Buffer.buffer(pem(new JcaPKCS8Generator(key.getPrivate(), null)));
      Buffer trustPem = Buffer.buffer(pem(caCert));
      return new FederationTls() {
        @Override
        public ServerSSLOptions serverOptions() {
          return new ServerSSLOptions().setKeyCertOptions(new PemKeyCertOptions().addCertValue(certPem)
              .addKeyValue(keyPem)).setTrustOptions(new PemTrustOptions().addCertValue(trustPem));
        }

        @Override
        public ClientSSLOptions clientOptions() {
          return new ClientSSLOptions().setKeyCertOptions(new PemKeyCertOptions().addCertValue(certPem)
              .addKeyValue(keyPem)).setTrustOptions(new PemTrustOptions().addCertValue(trustPem));
        }

        @Override
        public PeerVerdict verifyPeer(List<Certificate> chain) {
          return SpiffePeers.verify(chain, trustDomain, Set.of());
        }
      };
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
