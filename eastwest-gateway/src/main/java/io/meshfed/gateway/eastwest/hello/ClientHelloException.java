package io.meshfed.gateway.eastwest.hello;

import java.util.Objects;

/**
 * The only failure the ClientHello readers raise: the bytes are not TLS, violate the record or handshake framing, or
 * exceed the bound. Stackless: a flood of garbage must not cost a stack walk per connection.
 */
public final class ClientHelloException extends Exception {

  /** Why the bytes were refused. */
  public enum Kind {
    /** The first byte is not a TLS handshake record (plaintext or another protocol). */
    NOT_TLS,
    /** A length, type or vector is inconsistent with RFC 8446 / RFC 5246 framing. */
    MALFORMED,
    /** The hello would exceed the configured bound. */
    TOO_LARGE
  }

  private final Kind kind;

  public ClientHelloException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
