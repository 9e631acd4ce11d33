package io.meshfed.trust.ca;

import io.meshfed.trust.TrustDomain;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Building blocks for CA certificates: a self-signed root and intermediates under it. Both carry the trust domain's
 * SPIFFE ID ({@code spiffe://<trust-domain>}) as their URI SAN, which SPIFFE X509-SVID section 4.1 allows for signing
 * certificates, so {@code meshfed ca inspect} can tell which trust domain a root serves.
 */
public final class CaCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Like Vault's not_before_duration: tolerate peers whose clocks run a little behind. */
  static final Duration BACKDATE = Duration.ofSeconds(30);

  private CaCertificates() {
  }

  /** A self-signed root CA certificate for {@code trustDomain}, valid for {@code ttl}. */
  public static X509Certificate selfSignedRoot(KeyPair keyPair, TrustDomain trustDomain, String commonName,
      Duration ttl) {
    X500Name name = caName(commonName, trustDomain);
    Instant now = Instant.now();
    return build(name, keyPair.getPublic(), name, keyPair.getPrivate(), keyPair.getPublic(), trustDomain,
        now.minus(BACKDATE), now.plus(ttl), -1);
  }

  /**
   * An intermediate CA certificate for {@code intermediateKey}, signed by the issuer, valid for {@code ttl} but never
   * past the issuer's own expiry, with path length 0: it signs leaves only.
   */
  public static X509Certificate intermediate(PublicKey intermediateKey, TrustDomain trustDomain, String commonName,
      Duration ttl, X509Certificate issuer, PrivateKey issuerKey) {
    Instant now = Instant.now();
    Instant notAfter = earliest(now.plus(ttl), issuer.getNotAfter().toInstant());
    return build(caName(commonName, trustDomain), intermediateKey,
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), issuerKey, issuer.getPublicKey(),
        trustDomain, now.minus(BACKDATE), notAfter, 0);
  }

  static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** A random positive 128-bit serial number (RFC 5280 section 4.1.2.2 allows up to 20 octets). */
  static BigInteger serial() {
    return new BigInteger(128, RANDOM).setBit(127);
  }

  private static X500Name caName(String commonName, TrustDomain trustDomain) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "meshfed " + trustDomain.name())
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static X509Certificate build(X500Name subject, PublicKey subjectKey, X500Name issuer, PrivateKey issuerKey,
      PublicKey issuerPublicKey, TrustDomain trustDomain, Instant notBefore, Instant notAfter, int pathLength) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
          Date.from(notAfter), subject, subjectKey)
          .addExtension(Extension.basicConstraints, true,
              pathLength < 0 ? new BasicConstraints(true) : new BasicConstraints(pathLength))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey))
          .addExtension(Extension.authorityKeyIdentifier, false,
              utils.createAuthorityKeyIdentifier(issuerPublicKey))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.uri())));
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(issuerPublicKey)).build(issuerKey)));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build CA certificate " + subject, e);
    }
  }
}
