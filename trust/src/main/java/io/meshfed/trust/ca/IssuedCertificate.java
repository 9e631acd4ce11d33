package io.meshfed.trust.ca;

import io.meshfed.trust.Pem;
import io.meshfed.trust.TrustBundle;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a CA returns for a CSR: the chain (leaf first, then intermediates, no root) and the trust bundle the caller
 * verifies peers with.
 */
public record IssuedCertificate(List<X509Certificate> chain, TrustBundle bundle) {

  public IssuedCertificate {
    chain = List.copyOf(chain);
    Objects.requireNonNull(bundle, "bundle");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the issued leaf first)");
    }
  }

  /** The issued leaf. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The chain as PEM, leaf first. */
  public String chainPem() {
    return Pem.encodeCertificates(chain);
  }
}
