package io.meshfed.gateway.l7.tls;

import java.security.cert.X509Certificate;
import java.util.List;

/** A compiled SDS {@code Secret}: a certificate with its key, or a validation context (trusted CAs). */
public sealed interface SecretSpec {

  /** The secret's name ({@code default}, {@code ROOTCA}, {@code kubernetes://<credentialName>}). */
  String name();

  /**
   * {@code tls_certificate}: the PEM chain and key, kept as PEM for the TLS context builder; the chain is also parsed
   * for checks and diagnostics.
   *
   * @param name the secret's name
   * @param chainPem the certificate chain, PEM
   * @param keyPem the private key, PEM (never logged: {@link #toString()} leaves it out)
   * @param chain the parsed chain, leaf first
   */
  record TlsCertificate(String name, byte[] chainPem, byte[] keyPem, List<X509Certificate> chain)
      implements SecretSpec {

    @Override
    public String toString() {
      return "TlsCertificate[" + name + ", leaf " + chain.get(0).getSubjectX500Principal() + ", not after "
          + chain.get(0).getNotAfter().toInstant() + "]";
    }
  }

  /**
   * {@code validation_context}: trusted CAs (every root of the bundle) and optional SAN matchers.
   *
   * @param name the secret's name
   * @param trustedCas the trusted certificates
   * @param sanMatchers SAN matchers carried by the secret itself
   */
  record ValidationContext(String name, List<X509Certificate> trustedCas, List<SanMatcher> sanMatchers)
      implements SecretSpec {

    @Override
    public String toString() {
      return "ValidationContext[" + name + ", " + trustedCas.size() + " CAs]";
    }
  }
}
