package io.meshfed.control.plane.ca;

import io.meshfed.trust.SpiffeId;
import java.util.Objects;

/**
 * A CA caller whose identity was proved, and how.
 *
 * @param identity the SPIFFE id the caller may get certificates for
 * @param proof how it was proved, for logs and metrics: {@code mtls}, {@code token-review} or {@code bootstrap-token}
 */
public record Caller(SpiffeId identity, String proof) {

  public Caller {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(proof, "proof");
  }
}
