/**
 * TLS for both sides of the proxy: SDS secrets, Netty {@code SslContext}s built from them (BoringSSL), SNI
 * certificate selection, peer verification with SAN matchers, and upstream Istio SNI sent natively. Internal to
 * the engine; may change freely.
 */
package io.meshfed.gateway.l7.tls;
