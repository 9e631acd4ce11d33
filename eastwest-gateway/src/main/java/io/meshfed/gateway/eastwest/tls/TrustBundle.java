package io.meshfed.gateway.eastwest.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The roots a peer chain must verify against: the SDS secret {@code ROOTCA}, every root of the mesh's bundle (several
 * during a root rotation). trust/'s trust bundle converts to this.
 */
public record TrustBundle(String secretName, List<X509Certificate> roots) {

  public TrustBundle {
    Objects.requireNonNull(secretName, "secretName");
    roots = List.copyOf(roots);
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("roots: [] (expected: at least one CA certificate)");
    }
  }

  @Override
  public String toString() {
    return "TrustBundle{secret=" + secretName + ", roots=" + roots.size() + "}";
  }
}
