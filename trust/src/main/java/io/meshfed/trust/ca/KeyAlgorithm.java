package io.meshfed.trust.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** The key types meshfed generates for SVIDs: ECDSA P-256 by default, RSA-2048 where a peer needs RSA. */
public enum KeyAlgorithm {
  EC_P256("SHA256withECDSA"),
  RSA_2048("SHA256withRSA");

  private final String signatureAlgorithm;

  KeyAlgorithm(String signatureAlgorithm) {
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** A fresh key pair. CPU-bound (RSA takes tens of milliseconds): call it off the event loop. */
  public KeyPair generate() {
    try {
      if (this == EC_P256) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
    }
  }

  /** The JCA signature algorithm a key of this type signs with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Parses {@code ec}, {@code ec-p256}, {@code rsa} or {@code rsa-2048} (case-insensitive). */
  public static KeyAlgorithm parse(String text) {
    return switch (text == null ? "" : text.toLowerCase(java.util.Locale.ROOT)) {
      case "ec", "ec-p256", "ecdsa", "ec_p256" -> EC_P256;
      case "rsa", "rsa-2048", "rsa_2048" -> RSA_2048;
      default -> throw new IllegalArgumentException("key type: " + text + " (expected: ec or rsa)");
    };
  }

  /** The JCA signature algorithm for an issuer key of any supported type. */
  static String signatureAlgorithmFor(java.security.PublicKey issuerKey) {
    return issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
