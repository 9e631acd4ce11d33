package io.meshfed.control.plane.ca;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.TrustBundle;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The caller's current SVID, presented as its TLS client certificate: the identity is the leaf's SPIFFE id, after
 * the chain verifies against the mesh's current bundle (the listener's trust manager checked it already; checking
 * again here keeps this authenticator correct on its own).
 */
final class PeerCertificateAuthenticator implements Authenticator {

  private final Supplier<TrustBundle> bundle;

  PeerCertificateAuthenticator(Supplier<TrustBundle> bundle) {
    this.bundle = bundle;
  }

  @Override
  public Future<Optional<Caller>> authenticate(CallContext call) {
    if (call.peerChain().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    PeerVerification verification = bundle.get().verify(call.peerChain());
    if (verification instanceof PeerVerification.Verified verified) {
      return Future.succeededFuture(Optional.of(new Caller(verified.peer(), "mtls")));
    }
    return Future.failedFuture(new CallerRejectedException("client certificate rejected: " + verification
        + " (expected: a current SVID of this mesh)"));
  }
}
