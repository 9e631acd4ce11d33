package io.meshfed.gateway.l7.upstream;

/**
 * Why an upstream attempt produced no (complete) response.
 *
 * @param kind the failure class, which decides retries and the response flag
 * @param detail human detail for logs and {@code x-meshfed-details}
 */
public record UpstreamFailure(Kind kind, String detail) {

  /** Failure classes, mapped to Envoy's reset reasons. */
  public enum Kind {
    /** TCP connect or TLS handshake failed or timed out: flag {@code UF}. */
    CONNECT_FAILURE,
    /** A circuit breaker refused: flag {@code UO}. */
    OVERFLOW,
    /** The upstream closed the connection: flag {@code UC}. */
    CONNECTION_TERMINATION,
    /** The upstream reset the HTTP/2 stream: flag {@code UR}. */
    REMOTE_RESET,
    /** The upstream refused the HTTP/2 stream (REFUSED_STREAM, or beyond GOAWAY): flag {@code UR}. */
    REFUSED_STREAM,
    /** The upstream's response could not be parsed: flag {@code UPE}. */
    PROTOCOL_ERROR
  }
}
