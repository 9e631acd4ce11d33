package io.meshfed.trust;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An X509-SVID: a private key, its certificate chain (leaf first, then intermediates, without the root) and the trust
 * bundle to verify peers with. {@link #toString()} never prints the key.
 */
public record Svid(PrivateKey privateKey, List<X509Certificate> chain, TrustBundle bundle) {

  public Svid {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(bundle, "bundle");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the leaf certificate first, then intermediates)");
    }
    String keyAlgorithm = privateKey.getAlgorithm();
    String certificateAlgorithm = chain.get(0).getPublicKey().getAlgorithm();
    if (!keyAlgorithm.equals(certificateAlgorithm)) {
      throw new IllegalArgumentException("privateKey: a " + keyAlgorithm + " key (expected: " + certificateAlgorithm
          + ", the algorithm of the leaf's public key)");
    }
    PeerVerification identity = bundle.identityOf(chain.get(0));
    if (identity instanceof PeerVerification.Rejected rejected) {
      throw new IllegalArgumentException("chain: the leaf is not an SVID of this bundle: " + rejected);
    }
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The identity the leaf certifies. */
  public SpiffeId spiffeId() {
    return ((PeerVerification.Verified) bundle.identityOf(leaf())).peer();
  }

  /** When the leaf becomes valid. */
  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  /** When the leaf expires. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** True when the leaf has expired at {@code now}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(notAfter());
  }

  /** Time left until expiry at {@code now}; negative once expired. */
  public Duration remaining(Instant now) {
    return Duration.between(now, notAfter());
  }

  /** The chain as PEM, leaf first: what {@code curl --cert} reads. */
  public String chainPem() {
    return Pem.encodeCertificates(chain);
  }

  /** The private key as PKCS#8 PEM. Handle with care: never log it. */
  public String privateKeyPem() {
    return Pem.encodePrivateKey(privateKey);
  }

  /** The leaf's serial number in hex, for logs. */
  public String serial() {
    return leaf().getSerialNumber().toString(16);
  }

  @Override
  public String toString() {
    return "Svid{" + spiffeId() + ", serial=" + serial() + ", notAfter=" + notAfter() + ", chain=" + chain.size()
        + " cert(s), key=" + privateKey.getAlgorithm() + " (redacted)}";
  }
}
