package io.meshfed.gateway.eastwest.tls;

import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The gateway's own {@link PeerVerifier} until trust/'s SPIFFE verifier is merged: PKIX path validation to a root of
 * the bundle (no revocation: SVIDs are short-lived), then the leaf's SPIFFE ID (its URI SAN) checked against the
 * validation context's SAN matchers, which is how Istio pins accepted trust domains.
 *
 * <p>A chain that verified once is remembered by its exact DER bytes until its earliest
 * {@code notAfter}: the chain's signatures cannot change, the bundle is fixed per instance, and BoringSSL still checks
 * the handshake's CertificateVerify (possession of the key) on every connection. Repeat handshakes from the same SVID
 * then skip the JDK's ECDSA verifications.
 */
public final class SpiffePeerVerifier implements PeerVerifier {

  /** Default bound on remembered chains (a mesh's distinct SVIDs seen by one gateway). */
  public static final int DEFAULT_CACHE_SIZE = 4096;

  private final PeerValidation validation;
  private final Set<TrustAnchor> anchors;
  private final Set<X509Certificate> roots;
  private final LongSupplier clock;
  private final int cacheSize;
  private final ConcurrentHashMap<ChainKey, Verified> verified = new ConcurrentHashMap<>();

  /** The chain's DER bytes: compared whole (no digest to compute per handshake, no collision to reason about). */
  private record ChainKey(byte[] der, int hash) {
    @Override
    public boolean equals(Object other) {
      return other instanceof ChainKey key && hash == key.hash && Arrays.equals(der, key.der);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private record Verified(PeerIdentity identity, long notBeforeMillis, long notAfterMillis) {
  }

  public SpiffePeerVerifier(PeerValidation validation) {
    this(validation, DEFAULT_CACHE_SIZE, System::currentTimeMillis);
  }

  /** @param cacheSize chains remembered as verified; 0 verifies every chain in full */
  public SpiffePeerVerifier(PeerValidation validation, int cacheSize) {
    this(validation, cacheSize, System::currentTimeMillis);
  }

  SpiffePeerVerifier(PeerValidation validation, int cacheSize, LongSupplier clock) {
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cacheSize: " + cacheSize + " (expected: >= 0)");
    }
    this.validation = validation;
    this.cacheSize = cacheSize;
    this.clock = clock;
    this.roots = new HashSet<>(validation.bundle().roots());
    this.anchors = new HashSet<>();
    for (X509Certificate root : validation.bundle().roots()) {
      anchors.add(new TrustAnchor(root, null));
    }
  }

  @Override
  public PeerIdentity verify(List<X509Certificate> chain) throws PeerRejectedException {
    if (chain == null || chain.isEmpty()) {
      throw new PeerRejectedException(PeerRejectedException.Reason.NO_CERTIFICATE, "the peer sent no certificate");
    }
    ChainKey key = cacheSize == 0 ? null : key(chain);
    long now = clock.getAsLong();
    Verified cached = key == null ? null : verified.get(key);
    if (cached != null && now >= cached.notBeforeMillis() && now <= cached.notAfterMillis()) {
      return cached.identity();
    }
    validatePath(chain, now);
    PeerIdentity identity = identity(chain.get(0));
    if (key != null) {
      if (verified.size() >= cacheSize) {
        verified.clear();
      }
      long notBefore = Long.MIN_VALUE;
      long notAfter = Long.MAX_VALUE;
      for (X509Certificate certificate : chain) {
        notBefore = Math.max(notBefore, certificate.getNotBefore().getTime());
        notAfter = Math.min(notAfter, certificate.getNotAfter().getTime());
      }
      verified.put(key, new Verified(identity, notBefore, notAfter));
    }
    return identity;
  }

  private void validatePath(List<X509Certificate> chain, long now) throws PeerRejectedException {
    // Peers may append the root itself; the path handed to PKIX ends below the trust anchor.
    List<X509Certificate> path = new ArrayList<>(chain);
    while (path.size() > 1 && roots.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      CertPath certPath = factory.generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(new Date(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    } catch (GeneralSecurityException e) {
      throw new PeerRejectedException(PeerRejectedException.Reason.UNTRUSTED_CHAIN,
          "chain of " + chain.get(0).getSubjectX500Principal() + " does not verify against " + validation.bundle()
              + ": " + e.getMessage(), e);
    }
  }

  private PeerIdentity identity(X509Certificate leaf) throws PeerRejectedException {
    String uri = PeerIdentity.uriSan(leaf);
    List<StringMatch> matchers = validation.sanMatchers();
    if (matchers.isEmpty()) {
      return new PeerIdentity(uri != null ? uri : leaf.getSubjectX500Principal().getName());
    }
    if (uri != null) {
      for (StringMatch matcher : matchers) {
        if (matcher.matches(uri)) {
          return new PeerIdentity(uri);
        }
      }
    }
    throw new PeerRejectedException(PeerRejectedException.Reason.SAN_MISMATCH,
        "URI SAN " + uri + " of " + leaf.getSubjectX500Principal() + " matches none of " + matchers);
  }

  private static ChainKey key(List<X509Certificate> chain) {
    try {
      java.io.ByteArrayOutputStream der = new java.io.ByteArrayOutputStream(2048);
      for (X509Certificate certificate : chain) {
        byte[] encoded = certificate.getEncoded();
        der.write(encoded.length >>> 8);
        der.write(encoded.length);
        der.write(encoded, 0, encoded.length);
      }
      byte[] bytes = der.toByteArray();
      return new ChainKey(bytes, Arrays.hashCode(bytes));
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "SpiffePeerVerifier{" + validation.bundle() + ", san=" + validation.sanMatchers() + "}";
  }
}
