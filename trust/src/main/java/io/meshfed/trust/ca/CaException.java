package io.meshfed.trust.ca;

/**
 * A certificate authority refused or could not complete a request. {@link #reason()} tells callers (and metrics)
 * what kind of failure it was; the message names the field and the fix.
 */
public final class CaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The kinds of CA failure. */
  public enum Reason {
    /** The CSR is not a PEM PKCS#10 request, its signature does not verify, or it lacks a URI SAN. */
    MALFORMED_CSR,
    /** The CSR asks for an identity other than the one the caller proved. */
    IDENTITY_MISMATCH,
    /** The CSR's key is not ECDSA P-256/P-384 or RSA 2048-4096. */
    UNSUPPORTED_KEY,
    /** The requested TTL is outside what this CA issues. */
    INVALID_TTL,
    /** The caller's trust domain is not one this CA issues in. */
    WRONG_TRUST_DOMAIN,
    /** The backend (Vault) cannot be reached, timed out, or answered 5xx; retry later. */
    UNAVAILABLE,
    /** Vault refused the token (403): the token, AppRole or Kubernetes role lacks a policy. */
    PERMISSION_DENIED,
    /** Vault refused the request itself (4xx other than 403): the message carries Vault's errors. */
    REJECTED_BY_BACKEND,
    /** The CA cannot start as configured: missing files, unsafe permissions, bad settings. */
    MISCONFIGURED,
    /** The CA was closed. */
    CLOSED
  }

  private final Reason reason;

  public CaException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public CaException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** What kind of failure this is. */
  public Reason reason() {
    return reason;
  }

  /** True for failures worth retrying later (backend down or slow). */
  public boolean retryable() {
    return reason == Reason.UNAVAILABLE;
  }
}
