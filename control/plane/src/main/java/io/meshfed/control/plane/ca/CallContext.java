package io.meshfed.control.plane.ca;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What an authenticator may look at: the bearer token of the {@code authorization} header, the TLS client chain
 * (verified by the listener's trust manager), and the cluster the caller names in Istio's {@code ClusterID}.
 */
record CallContext(Optional<String> bearerToken, List<X509Certificate> peerChain, Optional<String> clusterId) {

  CallContext {
    peerChain = List.copyOf(peerChain);
  }
}
