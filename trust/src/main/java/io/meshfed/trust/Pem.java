package io.meshfed.trust;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads and writes the PEM (RFC 7468) that certificates, keys and CSRs travel in. Every failure names its source and
 * says what was wrong: no block, a BEGIN without its END (truncated), bad base64, or DER that is not what the label
 * says.
 */
public final class Pem {

  private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {
  }

  /** One decoded PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and DER bytes. */
  public record Block(String label, byte[] der) {
  }

  /** Every block in {@code text}, in order; fails when there is none or one is malformed. */
  public static List<Block> blocks(String text, String source) {
    if (text == null || text.isBlank()) {
      throw new PemException(source, "empty (expected: PEM text with -----BEGIN ...----- blocks)", null);
    }
    List<Block> blocks = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = text.indexOf("-----BEGIN ", at);
      if (begin < 0) {
        break;
      }
      int labelEnd = text.indexOf("-----", begin + 11);
      if (labelEnd < 0) {
        throw new PemException(source, "truncated PEM: unterminated BEGIN line at offset " + begin, null);
      }
      String label = text.substring(begin + 11, labelEnd);
      String endMarker = "-----END " + label + "-----";
      int end = text.indexOf(endMarker, labelEnd + 5);
      if (end < 0) {
        throw new PemException(source, "truncated PEM: -----BEGIN " + label + "----- at offset " + begin
            + " has no matching " + endMarker + " (was the file cut short?)", null);
      }
      String body = stripWhitespace(text, labelEnd + 5, end);
      if (body.isEmpty()) {
        throw new PemException(source, "empty " + label + " block at offset " + begin, null);
      }
      try {
        blocks.add(new Block(label, Base64.getDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new PemException(source, "bad base64 in the " + label + " block at offset " + begin + ": "
            + e.getMessage(), e);
      }
      at = end + endMarker.length();
    }
    if (blocks.isEmpty()) {
      throw new PemException(source, "no PEM block (expected: -----BEGIN ...----- ... -----END ...-----)", null);
    }
    return blocks;
  }

  private static String stripWhitespace(String text, int from, int to) {
    StringBuilder body = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        body.append(c);
      }
    }
    return body.toString();
  }

  /** The certificates in {@code text}, in order; other blocks are an error. */
  public static List<X509Certificate> certificates(String text, String source) {
    List<X509Certificate> certificates = new ArrayList<>();
    CertificateFactory factory = certificateFactory();
    int index = 0;
    for (Block block : blocks(text, source)) {
      if (!block.label().equals("CERTIFICATE")) {
        throw new PemException(source, "block " + index + " is " + block.label()
            + " (expected: CERTIFICATE blocks only)", null);
      }
      try {
        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException e) {
        throw new PemException(source, "certificate " + index + " is not a valid X.509 certificate: "
            + e.getMessage(), e);
      }
      index++;
    }
    return certificates;
  }

  /** The one private key in {@code text}: PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#1. */
  public static PrivateKey privateKey(String text, String source) {
    List<Block> blocks = blocks(text, source);
    if (blocks.size() != 1) {
      throw new PemException(source, blocks.size() + " PEM blocks (expected: exactly one private key)", null);
    }
    Block block = blocks.get(0);
    try {
      return switch (block.label()) {
        case "PRIVATE KEY" -> {
          PrivateKeyInfo info = PrivateKeyInfo.getInstance(block.der());
          String algorithm = info.getPrivateKeyAlgorithm().getAlgorithm().getId().equals("1.2.840.10045.2.1")
              ? "EC" : "RSA";
          yield KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
        }
        case "EC PRIVATE KEY", "RSA PRIVATE KEY" -> {
          try (PEMParser parser = new PEMParser(new java.io.StringReader(text))) {
            Object parsed = parser.readObject();
            yield new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) parsed).getPrivate();
          }
        }
        default -> throw new PemException(source, "block is " + block.label()
            + " (expected: PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)", null);
      };
    } catch (PemException e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException | java.io.IOException e) {
      throw new PemException(source, "the " + block.label() + " block is not a valid private key: "
          + e.getMessage(), e);
    }
  }

  /** PEM of certificates, one block each, in the given order. */
  public static String encodeCertificates(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        out.append(encode("CERTIFICATE", certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("certificate " + certificate.getSubjectX500Principal()
            + " cannot be encoded", e);
      }
    }
    return out.toString();
  }

  /** PKCS#8 PEM ({@code PRIVATE KEY}) of a private key: what OpenSSL, curl and Vert.x all read. */
  public static String encodePrivateKey(PrivateKey key) {
    return encode("PRIVATE KEY", key.getEncoded());
  }

  /** One PEM block. */
  public static String encode(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + MIME.encodeToString(der) + "\n-----END " + label + "-----\n";
  }

  static CertificateFactory certificateFactory() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
  }
}
