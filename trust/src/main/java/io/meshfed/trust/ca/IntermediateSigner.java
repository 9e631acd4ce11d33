package io.meshfed.trust.ca;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs X509-SVID leaves with an intermediate CA key held in memory: the signing core of the {@code local} and
 * {@code vault} CA modes. Immutable and thread-safe; signing is CPU-bound (about a tenth of a millisecond for P-256),
 * so call it from a worker, not an event loop.
 *
 * <p>Each leaf gets: an empty subject and a critical URI SAN with the SPIFFE ID (RFC 5280 section 4.2.1.6 requires
 * the SAN to be critical when the subject is empty; Istio's workload certificates look the same), basicConstraints
 * CA:false, keyUsage digitalSignature (plus keyEncipherment for RSA keys), extendedKeyUsage serverAuth and clientAuth
 * (SPIFFE X509-SVID section 4.4), and a lifetime capped at the intermediate's own expiry.
 */
public final class IntermediateSigner {

  private final PrivateKey key;
  private final List<X509Certificate> chain;
  private final TrustBundle bundle;
  private final X500Name issuerName;
  private final AuthorityKeyIdentifier authorityKeyIdentifier;
  private final Instant notAfter;

  private IntermediateSigner(PrivateKey key, List<X509Certificate> chain, TrustBundle bundle) {
    this.key = Crypto.forSigning(key);
    this.chain = List.copyOf(chain);
    this.bundle = bundle;
    X509Certificate issuer = chain.get(0);
    this.issuerName = X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    try {
      this.authorityKeyIdentifier = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the key identifier of " + issuer.getSubjectX500Principal(), e);
    }
    this.notAfter = issuer.getNotAfter().toInstant();
  }

  /**
   * A signer for the intermediate whose key is {@code key}; {@code chain} is that intermediate first, then any
   * further intermediates up to (not including) a root in {@code bundle}.
   */
  public static IntermediateSigner create(PrivateKey key, List<X509Certificate> chain, TrustBundle bundle) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(bundle, "bundle");
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the intermediate certificate first)");
    }
    if (chain.get(0).getBasicConstraints() < 0) {
      throw new IllegalArgumentException("chain: " + chain.get(0).getSubjectX500Principal()
          + " is not a CA certificate (expected: an intermediate with CA:true)");
    }
    return new IntermediateSigner(key, chain, bundle);
  }

  /**
   * Signs a leaf for {@code identity}, which must be what the CSR asks for (checked again here, so no caller can skip
   * it), valid for {@code ttl} or until the intermediate expires, whichever is first.
   */
  public IssuedCertificate sign(CertificateRequest csr, SpiffeId identity, Duration ttl) {
    csr.requireIdentity(identity);
    if (!bundle.accepts(identity.trustDomain())) {
      throw new CaException(CaException.Reason.WRONG_TRUST_DOMAIN, "csr: " + identity + " is in trust domain "
          + identity.trustDomain() + " (expected one of " + bundle.acceptedTrustDomains() + ")");
    }
    Instant now = Instant.now();
    if (!now.isBefore(notAfter)) {
      throw new CaException(CaException.Reason.UNAVAILABLE, "intermediate " + issuerName + " expired at " + notAfter
          + " and has not been renewed yet");
    }
    X509Certificate leaf = leaf(csr.publicKey(), identity, now.minus(CaCertificates.BACKDATE),
        CaCertificates.earliest(now.plus(ttl), notAfter));
    List<X509Certificate> issued = new ArrayList<>(chain.size() + 1);
    issued.add(leaf);
    issued.addAll(chain);
    return new IssuedCertificate(issued, bundle);
  }

  /** The intermediate certificate this signer signs with. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The chain above the leaves this signer issues: the intermediate first, no root. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The bundle issued leaves are returned with. */
  public TrustBundle bundle() {
    return bundle;
  }

  /** When the intermediate expires; no leaf outlives it. */
  public Instant notAfter() {
    return notAfter;
  }

  /** When the intermediate became valid. */
  public Instant notBefore() {
    return chain.get(0).getNotBefore().toInstant();
  }

  private X509Certificate leaf(PublicKey subjectKey, SpiffeId identity, Instant notBefore, Instant notAfter) {
    try {
      int usage = KeyUsage.digitalSignature;
      if (subjectKey.getAlgorithm().equals("RSA")) {
        usage |= KeyUsage.keyEncipherment;
      }
      var builder = new JcaX509v3CertificateBuilder(issuerName, CaCertificates.serial(), Date.from(notBefore),
          Date.from(notAfter), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), subjectKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier)
          .addExtension(Extension.subjectAlternativeName, true,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())));
      ContentSigner signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(certificate().getPublicKey()))
          .setProvider(Crypto.PROVIDER).build(key);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a leaf for " + identity, e);
    }
  }

  @Override
  public String toString() {
    return "IntermediateSigner{" + issuerName + ", notAfter=" + notAfter + "}";
  }
}
