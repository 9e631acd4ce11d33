package io.meshfed.gateway.eastwest.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The verified identity of a TLS peer: its SPIFFE ID ({@code spiffe://<trust domain>/ns/<ns>/sa/<sa>}), which is the
 * principal Envoy's RBAC {@code authenticated.principal_name} matches.
 */
public record PeerIdentity(String principal) {

  /** The TLS session value under which a verified peer's identity is kept. */
  public static final String SESSION_KEY = "io.meshfed.peer-identity";

  public PeerIdentity {
    Objects.requireNonNull(principal, "principal");
  }

  /**
   * The principal Envoy's RBAC sees for a verified leaf: its first URI SAN (the SPIFFE ID of an X.509-SVID), else
   * its subject.
   */
  public static PeerIdentity of(X509Certificate leaf) {
    String uri = uriSan(leaf);
    return new PeerIdentity(uri != null ? uri : leaf.getSubjectX500Principal().getName());
  }

  /** The first URI subject alternative name (RFC 5280 section 4.2.1.6, type 6), or {@code null}. */
  public static String uriSan(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return null;
      }
      for (List<?> name : names) {
        if (Integer.valueOf(6).equals(name.get(0))) {
          return (String) name.get(1);
        }
      }
      return null;
    } catch (CertificateParsingException e) {
      return null;
    }
  }

  /** The trust domain of a SPIFFE principal, or empty when the principal is not a SPIFFE URI. */
  public String trustDomain() {
    if (!principal.startsWith("spiffe://")) {
      return "";
    }
    int slash = principal.indexOf('/', "spiffe://".length());
    return slash < 0 ? principal.substring("spiffe://".length()) : principal.substring("spiffe://".length(), slash);
  }

  /** The Kubernetes namespace of an Istio-style SPIFFE principal ({@code /ns/<ns>/}), or empty. */
  public String namespace() {
    int at = principal.indexOf("/ns/");
    if (at < 0) {
      return "";
    }
    int end = principal.indexOf('/', at + 4);
    return end < 0 ? principal.substring(at + 4) : principal.substring(at + 4, end);
  }

  @Override
  public String toString() {
    return principal;
  }
}
