package io.meshfed.control.plane.translate;

import java.util.Objects;

/**
 * A certificate chain (leaf first) and its private key, PEM: a gateway's SVID served as the SDS secret
 * {@code default}. {@link #toString()} never prints the key.
 */
public record TlsCredential(String certificateChainPem, String privateKeyPem) {

  public TlsCredential {
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    if (!certificateChainPem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("certificateChainPem: no PEM certificate (expected: -----BEGIN CERTIFICATE-----"
          + " blocks, leaf first)");
    }
    if (!privateKeyPem.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException("privateKeyPem: not a PEM private key (expected: PKCS#8, PKCS#1 or SEC1 PEM)");
    }
  }

  @Override
  public String toString() {
    return "TlsCredential[chain=" + certificateChainPem.length() + " chars, key=(hidden)]";
  }
}
