package io.meshfed.gateway.eastwest.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A key and its certificate chain (leaf first): the gateway's SVID, from the SDS secret {@code default}. trust/'s SVID
 * type converts to this; {@link #toString()} never prints the key.
 */
public record TlsCertificate(String secretName, PrivateKey privateKey, List<X509Certificate> chain) {

  public TlsCertificate {
    Objects.requireNonNull(secretName, "secretName");
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the leaf certificate first, then intermediates)");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  @Override
  public String toString() {
    return "TlsCertificate{secret=" + secretName + ", leaf=" + leaf().getSubjectX500Principal() + ", chain="
        + chain.size() + "}";
  }
}
