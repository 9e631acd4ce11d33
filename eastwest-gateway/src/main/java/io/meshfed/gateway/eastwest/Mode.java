package io.meshfed.gateway.eastwest;

/** How a filter chain carries a connection. */
public enum Mode {
  /** TLS read (SNI + ALPN), not terminated; bytes spliced to the upstream (Istio AUTO_PASSTHROUGH). */
  PASSTHROUGH,
  /** TLS terminated and the peer verified and authorized, then forwarded at L4. */
  TERMINATE_TCP,
  /** TLS terminated and the peer verified and authorized, then forwarded per HTTP request. */
  TERMINATE_HTTP,
  /** Plaintext HTTP forwarded per request (the outbound listener's HTTP chain). */
  PLAINTEXT_HTTP,
  /** Plaintext bytes forwarded at L4. */
  PLAINTEXT_TCP
}
