package io.meshfed.trust;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The roots a mesh trusts and the trust domains it accepts under them. Immutable: a rotated bundle is a new instance.
 *
 * <p>{@link #verify} checks a peer's chain (leaf first) against the roots (RFC 5280 path validation) AND checks that
 * the leaf's single URI SAN is a SPIFFE ID in an accepted trust domain, so a certificate from the right root with the
 * wrong trust domain is refused. Several roots may be present at once, which is how a root is rotated: add the new
 * root, re-issue, then drop the old one. Trust-domain aliases accept several domains under the same roots, which
 * Istio cannot do and meshfed uses to federate meshes that were installed with different trust domains.
 */
public final class TrustBundle {

  private static final int SAN_URI = 6;

  private final TrustDomain trustDomain;
  private final Set<TrustDomain> acceptedTrustDomains;
  private final List<X509Certificate> roots;
  private final Set<TrustAnchor> anchors;

  private TrustBundle(TrustDomain trustDomain, Set<TrustDomain> accepted, List<X509Certificate> roots) {
    this.trustDomain = trustDomain;
    this.acceptedTrustDomains = Collections.unmodifiableSet(accepted);
    this.roots = List.copyOf(roots);
    this.anchors = roots.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toUnmodifiableSet());
  }

  /** A builder for a bundle whose primary trust domain is {@code trustDomain}. */
  public static Builder builder(TrustDomain trustDomain) {
    return new Builder(trustDomain);
  }

  /** A builder for a bundle whose primary trust domain is {@code trustDomain}. */
  public static Builder builder(String trustDomain) {
    return new Builder(TrustDomain.of(trustDomain));
  }

  /** The trust domain this mesh issues identities in. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The primary trust domain and its aliases, primary first. */
  public Set<TrustDomain> acceptedTrustDomains() {
    return acceptedTrustDomains;
  }

  /** True when identities in {@code domain} are accepted. */
  public boolean accepts(TrustDomain domain) {
    return acceptedTrustDomains.contains(domain);
  }

  /** The trusted roots, oldest first. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /** The roots as PEM, what {@code curl --cacert} or {@code openssl verify -CAfile} read. */
  public String rootsPem() {
    return Pem.encodeCertificates(roots);
  }

  /** The same trust domains with {@code extra} roots added (kept in order, duplicates dropped). */
  public TrustBundle withAdditionalRoots(Collection<X509Certificate> extra) {
    return toBuilder().addRoots(extra).build();
  }

  /** A builder starting from this bundle. */
  public Builder toBuilder() {
    Builder builder = new Builder(trustDomain).addRoots(roots);
    acceptedTrustDomains.stream().filter(domain -> !domain.equals(trustDomain)).forEach(builder::alias);
    return builder;
  }

  /** {@link #verify(List, Instant)} at the current time. */
  public PeerVerification verify(List<? extends Certificate> chain) {
    return verify(chain, Instant.now());
  }

  /**
   * Verifies a peer's chain, leaf first, at time {@code at}: path to a bundle root, validity, leaf not a CA, exactly
   * one URI SAN that is a SPIFFE ID in an accepted trust domain.
   */
  public PeerVerification verify(List<? extends Certificate> chain, Instant at) {
    if (chain == null || chain.isEmpty()) {
      return new PeerVerification.Rejected(RejectReason.NO_CERTIFICATE, "empty certificate chain");
    }
    List<X509Certificate> path = new ArrayList<>(chain.size());
    for (Certificate certificate : chain) {
      if (!(certificate instanceof X509Certificate x509)) {
        return new PeerVerification.Rejected(RejectReason.INVALID_CHAIN,
            "chain holds a " + certificate.getType() + " certificate (expected: X.509)");
      }
      // A peer may append a root; path validation wants the path without its trust anchor.
      if (!roots.contains(x509)) {
        path.add(x509);
      }
    }
    X509Certificate leaf = (X509Certificate) chain.get(0);
    if (leaf.getBasicConstraints() >= 0) {
      return new PeerVerification.Rejected(RejectReason.NOT_A_LEAF,
          "leaf " + leaf.getSubjectX500Principal() + " is a CA certificate");
    }
    X509Certificate top = path.get(path.size() - 1);
    X509Certificate anchor = issuingRoot(top);
    if (anchor == null) {
      return new PeerVerification.Rejected(RejectReason.FOREIGN_ROOT,
          "chain ends at a certificate issued by " + top.getIssuerX500Principal() + ", which is none of the "
              + roots.size() + " bundle root(s) " + rootNames() + " (another mesh's CA, or an intermediate missing"
              + " from the chain)");
    }
    PeerVerification.Rejected pathProblem = validatePath(path, anchor, at);
    if (pathProblem != null) {
      return pathProblem;
    }
    return identityOf(leaf);
  }

  /** The SPIFFE ID in a leaf's URI SAN, with the trust-domain check; the chain is assumed verified. */
  PeerVerification identityOf(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (((Integer) name.get(0)) == SAN_URI) {
            uris.add((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return new PeerVerification.Rejected(RejectReason.NO_URI_SAN,
          "subject alternative names cannot be parsed: " + e.getMessage());
    }
    if (uris.isEmpty()) {
      return new PeerVerification.Rejected(RejectReason.NO_URI_SAN,
          "leaf " + leaf.getSubjectX500Principal() + " has no URI SAN");
    }
    if (uris.size() > 1) {
      return new PeerVerification.Rejected(RejectReason.MULTIPLE_URI_SANS, "leaf has URI SANs " + uris);
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (InvalidSpiffeIdException e) {
      return new PeerVerification.Rejected(RejectReason.MALFORMED_SPIFFE_ID, e.getMessage());
    }
    if (!accepts(id.trustDomain())) {
      return new PeerVerification.Rejected(RejectReason.WRONG_TRUST_DOMAIN,
          id + " is in trust domain " + id.trustDomain() + " (expected one of " + acceptedTrustDomains + ")");
    }
    return new PeerVerification.Verified(id, leaf);
  }

  private X509Certificate issuingRoot(X509Certificate top) {
    for (X509Certificate root : roots) {
      if (!root.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        continue;
      }
      try {
        top.verify(root.getPublicKey());
        return root;
      } catch (GeneralSecurityException e) {
        // Same name, different key: a root of another mesh that happens to share our root's name.
      }
    }
    return null;
  }

  private static PeerVerification.Rejected validatePath(List<X509Certificate> path, X509Certificate anchor,
      Instant at) {
    try {
      CertPath certPath = Pem.certificateFactory().generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(at));
      CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
      return null;
    } catch (CertPathValidatorException e) {
      String which = e.getIndex() >= 0 && e.getIndex() < path.size()
          ? "certificate " + e.getIndex() + " (" + describe(path.get(e.getIndex())) + ")" : "the chain";
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return new PeerVerification.Rejected(RejectReason.EXPIRED, which + " expired at "
            + path.get(Math.max(0, e.getIndex())).getNotAfter().toInstant() + " (checked at " + at + ")");
      }
      if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        return new PeerVerification.Rejected(RejectReason.NOT_YET_VALID, which + " is valid from "
            + path.get(Math.max(0, e.getIndex())).getNotBefore().toInstant() + " (checked at " + at + ")");
      }
      if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
        return new PeerVerification.Rejected(RejectReason.FOREIGN_ROOT, which + ": " + e.getMessage());
      }
      return new PeerVerification.Rejected(RejectReason.INVALID_CHAIN, which + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      return new PeerVerification.Rejected(RejectReason.INVALID_CHAIN, "chain cannot be validated: " + e.getMessage());
    }
  }

  private String rootNames() {
    return roots.stream().map(TrustBundle::describe).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Subject and SHA-256 fingerprint prefix: enough to tell two roots with the same name apart. */
  static String describe(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName() + " sha256:" + fingerprint(certificate).substring(0, 16);
  }

  /** The SHA-256 fingerprint of a certificate in lowercase hex. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint " + certificate.getSubjectX500Principal(), e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrustBundle bundle && bundle.trustDomain.equals(trustDomain)
        && bundle.acceptedTrustDomains.equals(acceptedTrustDomains) && bundle.roots.equals(roots);
  }

  @Override
  public int hashCode() {
    return Objects.hash(trustDomain, acceptedTrustDomains, roots);
  }

  @Override
  public String toString() {
    return "TrustBundle{trustDomains=" + acceptedTrustDomains + ", roots=" + rootNames() + "}";
  }

  /** Builds a {@link TrustBundle}; each argument is checked as it arrives. */
  public static final class Builder {
    private final TrustDomain trustDomain;
    private final Set<TrustDomain> aliases = new LinkedHashSet<>();
    private final Map<String, X509Certificate> roots = new LinkedHashMap<>();

    private Builder(TrustDomain trustDomain) {
      this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    }

    /** Also accept identities in {@code alias}, under the same roots. */
    public Builder alias(TrustDomain alias) {
      aliases.add(Objects.requireNonNull(alias, "alias"));
      return this;
    }

    /** Also accept identities in {@code alias}, under the same roots. */
    public Builder alias(String alias) {
      return alias(TrustDomain.of(alias));
    }

    /** Trust {@code root}, which must be a CA certificate. */
    public Builder addRoot(X509Certificate root) {
      Objects.requireNonNull(root, "root");
      if (root.getBasicConstraints() < 0) {
        throw new IllegalArgumentException("root: " + root.getSubjectX500Principal()
            + " (expected: a CA certificate, with basicConstraints CA:true)");
      }
      roots.putIfAbsent(fingerprint(root), root);
      return this;
    }

    /** Trust every certificate in {@code roots}. */
    public Builder addRoots(Collection<X509Certificate> roots) {
      roots.forEach(this::addRoot);
      return this;
    }

    /** Trust every certificate in the PEM text; {@code source} names it in errors. */
    public Builder addRootsPem(String pem, String source) {
      return addRoots(Pem.certificates(pem, source));
    }

    /** The bundle; fails when no root was added. */
    public TrustBundle build() {
      if (roots.isEmpty()) {
        throw new IllegalArgumentException("roots: [] (expected: at least one root certificate for trust domain "
            + trustDomain + ")");
      }
      Set<TrustDomain> accepted = new LinkedHashSet<>();
      accepted.add(trustDomain);
      accepted.addAll(aliases);
      return new TrustBundle(trustDomain, accepted, new ArrayList<>(roots.values()));
    }
  }
}
