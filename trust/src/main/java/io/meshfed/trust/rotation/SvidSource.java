package io.meshfed.trust.rotation;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Where a {@link RotatingSvid} gets each new SVID. In the control plane that is its own CA; in a gateway, a CSR sent
 * to the control plane's CA service. A failed future means "try again later".
 */
@FunctionalInterface
public interface SvidSource {

  /** A fresh SVID (new key, new certificate). */
  Future<Svid> fetch();

  /**
   * Fresh SVIDs for {@code identity} from {@code authority}: a new {@code algorithm} key and CSR each time (generated
   * on a worker), signed for {@code ttl} ({@code null}: the CA's default).
   */
  static SvidSource fromAuthority(Vertx vertx, CertificateAuthority authority, SpiffeId identity,
      KeyAlgorithm algorithm, Duration ttl) {
    return () -> vertx.executeBlocking(() -> SvidRequest.create(identity, algorithm), false)
        .compose(request -> authority.sign(request.csrPem(), identity, ttl).map(request::complete));
  }
}
