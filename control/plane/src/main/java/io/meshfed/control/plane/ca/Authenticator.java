package io.meshfed.control.plane.ca;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * One way to prove a caller's identity. Answers the caller, or empty when this authenticator does not apply (no
 * token, no certificate, a token it does not know), or a failed future with a {@link CallerRejectedException} when
 * it applies and refuses.
 */
interface Authenticator {

  Future<Optional<Caller>> authenticate(CallContext call);
}
