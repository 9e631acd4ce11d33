package io.meshfed.gateway.eastwest.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads the PEM an SDS secret carries inline: certificate chains and bundles (JDK) and private keys in PKCS#8 or
 * SEC1/PKCS#1 form (BouncyCastle). Errors describe the shape of what was found, never its content, so a key cannot
 * leak into a NACK or a log.
 */
public final class PemReader {

  private PemReader() {
  }

  /** @throws IllegalArgumentException when the bytes hold no certificate or one does not parse */
  public static List<X509Certificate> certificates(byte[] pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate : factory.generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no PEM certificate found (expected: -----BEGIN CERTIFICATE----- blocks)");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate list (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** @throws IllegalArgumentException when the bytes hold no private key (the message never quotes the bytes) */
  public static PrivateKey privateKey(byte[] pem) {
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
      throw new IllegalArgumentException("no PEM private key found (expected: an unencrypted PRIVATE KEY,"
          + " EC PRIVATE KEY or RSA PRIVATE KEY block)");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key (" + e.getClass().getSimpleName() + ")");
    }
  }
}
