package io.meshfed.gateway.l7.testing;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway ECDSA P-256 CA issuing leaves with DNS and URI SANs, for TLS tests. */
public final class TestPki {

  private final KeyPair caKeys;
  private final X509Certificate ca;

  /**
   * A leaf certificate and key as PEM.
   *
   * @param chainPem leaf then CA
   * @param keyPem the leaf key (PKCS#8)
   * @param certificate the leaf
   */
  public record Leaf(String chainPem, String keyPem, X509Certificate certificate) {
  }

  public TestPki(String name) throws Exception {
    caKeys = keys();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name),
        BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE), new Date(System.currentTimeMillis()
        - 60_000), new Date(System.currentTimeMillis() + 86_400_000L), new X500Name("CN=" + name),
        caKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = sign(builder, caKeys.getPrivate());
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  public String caPem() throws Exception {
    return pem(ca);
  }

  public X509Certificate ca() {
    return ca;
  }

  /** A leaf for {@code dnsNames} and {@code uris}. */
  public Leaf leaf(String commonName, List<String> dnsNames, List<String> uris) throws Exception {
    KeyPair leafKeys = keys();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca,
        BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
        new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
        new X500Name("CN=" + commonName), leafKeys.getPublic());
    GeneralName[] names = new GeneralName[dnsNames.size() + uris.size()];
    int i = 0;
    for (String dns : dnsNames) {
      names[i++] = new GeneralName(GeneralName.dNSName, dns);
    }
    for (String uri : uris) {
      names[i++] = new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }
    if (names.length > 0) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    X509Certificate leaf = sign(builder, caKeys.getPrivate());
    return new Leaf(pem(leaf) + pem(ca), pem(leafKeys.getPrivate()), leaf);
  }

  private static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
    }
    return out.toString();
  }
}
