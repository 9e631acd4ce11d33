package io.meshfed.gateway.eastwest.tls;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Verifies a peer's certificate chain and returns its identity: the seam where trust/'s SPIFFE chain verification
 * plugs in ({@link SpiffePeerVerifier} is the gateway's own until then). Called on event loops during handshakes: it
 * must not block, and should be fast.
 */
@FunctionalInterface
public interface PeerVerifier {

  /**
   * @param chain the peer's chain as presented, leaf first
   * @throws PeerRejectedException when the chain does not verify or its identity is not accepted
   */
  PeerIdentity verify(List<X509Certificate> chain) throws PeerRejectedException;
}
