package io.meshfed.control.plane.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Checks, on the mTLS listener, that the client certificate of a stream may speak for the node it announces
 * (for example that the SPIFFE id in the SAN is the gateway's service account in the node's namespace).
 * The trust module provides meshfed's implementation.
 */
@FunctionalInterface
public interface ClientIdentityVerifier {

    /**
     * Verifies a stream's peer.
     *
     * @param peerChain the verified client chain, leaf first (never empty: a stream without one is refused earlier)
     * @param node the node of the first request
     * @return a succeeded future to accept; a failed one to refuse the stream with {@code PERMISSION_DENIED} and the
     *     failure's message
     */
    Future<Void> verify(List<X509Certificate> peerChain, Node node);

    /** Accepts any client whose chain the TLS layer verified. */
    static ClientIdentityVerifier anyVerifiedChain() {
        return (chain, node) -> Future.succeededFuture();
    }
}
