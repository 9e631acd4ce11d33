package io.meshfed.trust;

import java.util.Locale;

/**
 * Why a peer's certificate chain was refused. Gateways count rejections by this reason (the metric tag is
 * {@link #tag()}), and {@code meshfed explain} maps each to its likely cause.
 */
public enum RejectReason {
  /** The peer presented no certificate. */
  NO_CERTIFICATE("the peer sent no certificate; is it configured for mTLS?"),
  /** The chain does not lead to any root in the trust bundle: another mesh, or a CA that was never shared. */
  FOREIGN_ROOT("the chain does not lead to a root in this mesh's trust bundle"),
  /** A certificate in the chain has expired: the peer stopped rotating, or clocks disagree. */
  EXPIRED("a certificate in the peer's chain has expired"),
  /** A certificate in the chain is not valid yet: clocks disagree. */
  NOT_YET_VALID("a certificate in the peer's chain is not valid yet (clock skew?)"),
  /** The chain leads to a bundle root but is not a valid path (bad signature, CA constraints, path length). */
  INVALID_CHAIN("the peer's chain is not a valid certification path"),
  /** The first certificate is a CA certificate; SPIFFE X509-SVID section 4.1 forbids that for a leaf. */
  NOT_A_LEAF("the peer presented a CA certificate as its leaf"),
  /** The leaf carries no URI SAN, so no SPIFFE ID. */
  NO_URI_SAN("the peer's certificate has no URI SAN (no SPIFFE ID)"),
  /** The leaf carries several URI SANs; an X509-SVID has exactly one (SPIFFE X509-SVID section 2). */
  MULTIPLE_URI_SANS("the peer's certificate has more than one URI SAN"),
  /** The URI SAN is not a meshfed SPIFFE ID. */
  MALFORMED_SPIFFE_ID("the peer's URI SAN is not spiffe://<trust-domain>/ns/<ns>/sa/<sa>"),
  /** The chain is valid but the SPIFFE ID belongs to a trust domain this bundle does not accept. */
  WRONG_TRUST_DOMAIN("the peer's trust domain is not one this mesh accepts"),
  /** The chain and trust domain are fine, but this endpoint does not accept that identity. */
  UNAUTHORIZED_IDENTITY("the peer's SPIFFE ID is not one this endpoint accepts");

  private final String description;

  RejectReason(String description) {
    this.description = description;
  }

  /** One line for humans: what the reason means. */
  public String description() {
    return description;
  }

  /** The value of the {@code reason} tag on rejection metrics, e.g. {@code foreign_root}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
