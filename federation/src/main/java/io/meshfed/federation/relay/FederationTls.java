package io.meshfed.federation.relay;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.cert.Certificate;
import java.util.List;

/**
 * What the federation relay needs from the trust module: this member's SVID and trust bundle as Vert.x TLS options,
 * and the rule deciding which peers may join. Implementations return current options on every call, so rotated
 * SVIDs take effect on the next connection ({@link MemberRelay#reloadTls()} also pushes them to the listeners).
 *
 * <p>The relay forces what makes plaintext impossible: TLS on both sides and a required client certificate. The
 * options supply keys and trust; hostname verification is off because SPIFFE SVIDs carry URI SANs, not DNS names,
 * and {@link #verifyPeer} checks the identity instead.
 */
public interface FederationTls {

  /** This member's SVID (key + chain) and the mesh's trust bundle, for accepting peers. */
  ServerSSLOptions serverOptions();

  /** The same SVID and bundle, for connecting to peers. */
  ClientSSLOptions clientOptions();

  /**
   * Decides whether a peer whose chain already verified against the trust bundle may join: typically "its SPIFFE ID
   * is in this mesh's trust domain and names a meshfed control plane".
   */
  PeerVerdict verifyPeer(List<Certificate> chain);
}
