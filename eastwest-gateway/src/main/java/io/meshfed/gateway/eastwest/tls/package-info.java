/**
 * TLS material and the TLS factory seam: the gateway's certificate ({@link io.meshfed.gateway.eastwest.tls.TlsCertificate}),
 * the trust bundle ({@link io.meshfed.gateway.eastwest.tls.TrustBundle}), peer-chain verification to a SPIFFE ID
 * ({@link io.meshfed.gateway.eastwest.tls.PeerVerifier}) and the Netty contexts built from them
 * ({@link io.meshfed.gateway.eastwest.tls.GatewayTls}). trust/'s classes replace the implementations here once merged;
 * the interfaces are what the rest of the gateway sees.
 */
package io.meshfed.gateway.eastwest.tls;
