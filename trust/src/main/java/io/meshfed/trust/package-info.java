/**
 * meshfed's trust domain: SPIFFE identities ({@link io.meshfed.trust.SpiffeId}), trust bundles that verify a peer's
 * chain and trust domain ({@link io.meshfed.trust.TrustBundle}, {@link io.meshfed.trust.PeerVerification}), SVIDs
 * ({@link io.meshfed.trust.Svid}) and where endpoints get them ({@link io.meshfed.trust.SvidProvider}).
 *
 * <p>Sub-packages: {@code ca} (certificate authorities: local, Vault), {@code vault} (the Vault PKI backends),
 * {@code rotation} (the rotating SVID holder), {@code tls} (Vert.x and Netty TLS factories), {@code cli}
 * ({@code meshfed ca}). See docs/trust.md.
 */
package io.meshfed.trust;
