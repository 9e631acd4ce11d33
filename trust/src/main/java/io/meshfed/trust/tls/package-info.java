/**
 * TLS for every meshfed endpoint ({@link io.meshfed.trust.tls.MeshTls}): Vert.x server and client options with
 * BoringSSL, TLS 1.2+ (1.3 preferred), ALPN and SPIFFE mTLS; hot swap into live endpoints; and the Netty pieces
 * Vert.x cannot provide (Istio SNI origination, mTLS termination after a ClientHello peek). Failed peers surface as
 * {@link io.meshfed.trust.tls.PeerRejectedException} with a countable reason.
 */
package io.meshfed.trust.tls;
