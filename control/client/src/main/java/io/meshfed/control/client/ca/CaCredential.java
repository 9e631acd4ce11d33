package io.meshfed.control.client.ca;

import io.meshfed.trust.Svid;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a caller proves its identity to the control plane's CA: a token sent as {@code authorization: Bearer} (a
 * Kubernetes service-account token, reviewed by the CA with audience {@code meshfed-ca}, or a bootstrap token of the
 * embedded mode), or its current SVID presented as the TLS client certificate. {@link #toString()} never prints a
 * token or a key.
 */
public sealed interface CaCredential {

  /** A token given as text. */
  static CaCredential token(String token) {
    return new Token(token);
  }

  /** A token read from a file at each request (projected tokens are rotated by the kubelet). */
  static CaCredential tokenFile(Path file) {
    return new TokenFile(file);
  }

  /** The caller's current SVID as its TLS client certificate. */
  static CaCredential svid(Svid svid) {
    return new CurrentSvid(svid);
  }

  /** A bearer token. */
  record Token(String token) implements CaCredential {
    public Token {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("token: empty (expected: a service-account or bootstrap token)");
      }
    }

    @Override
    public String toString() {
      return "Token(redacted)";
    }
  }

  /** A bearer token in a file. */
  record TokenFile(Path file) implements CaCredential {
    public TokenFile {
      Objects.requireNonNull(file, "file");
    }
  }

  /** An SVID presented as the client certificate. */
  record CurrentSvid(Svid svid) implements CaCredential {
    public CurrentSvid {
      Objects.requireNonNull(svid, "svid");
    }
  }
}
