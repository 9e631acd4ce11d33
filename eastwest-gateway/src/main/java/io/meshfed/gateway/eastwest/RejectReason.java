package io.meshfed.gateway.eastwest;

/**
 * Why the gateway closed a downstream connection before it reached an upstream. Each reason is a label value of
 * {@code meshfed_eastwest_rejected_total{reason}} (docs/xds-profile.md) and appears in the access log.
 */
public enum RejectReason {
  /** The first bytes were not a TLS handshake record and no plaintext filter chain exists on the listener. */
  NOT_TLS("not_tls"),
  /** A TLS record or ClientHello violated RFC 8446 framing (lengths, types, truncated vectors). */
  MALFORMED_HELLO("malformed_hello"),
  /** The ClientHello exceeded the listener's bound before it completed. */
  HELLO_TOO_LARGE("hello_too_large"),
  /** The ClientHello did not complete within the listener filter timeout. */
  HELLO_TIMEOUT("hello_timeout"),
  /** No filter chain serves the requested server name (or the hello carried none). */
  UNKNOWN_SNI("unknown_sni"),
  /** A filter chain serves the name, but the client offered none of its application protocols (Istio mTLS ALPNs). */
  ALPN_MISMATCH("alpn_mismatch"),
  /** Terminate mode: the client sent no certificate where one is required. */
  NO_CLIENT_CERT("no_client_cert"),
  /** Terminate mode: the client chain does not verify against the trust bundle. */
  UNTRUSTED_CHAIN("untrusted_chain"),
  /** Terminate mode: the client chain verifies, but its SPIFFE ID is outside the accepted trust domains. */
  TRUST_DOMAIN_MISMATCH("trust_domain_mismatch"),
  /** Terminate mode: the TLS handshake failed for another reason (protocol version, cipher, alert). */
  TLS_HANDSHAKE_FAILED("tls_handshake_failed"),
  /** Terminate mode: the network RBAC filter (PeerAuthentication / AuthorizationPolicy) denied the peer. */
  RBAC_DENIED("rbac_denied"),
  /** The matching filter chain waits for a resource it references (a Secret or a RouteConfiguration). */
  NOT_READY("not_ready");

  private final String label;

  RejectReason(String label) {
    this.label = label;
  }

  /** The metric label value, snake case as in the profile. */
  public String label() {
    return label;
  }
}
