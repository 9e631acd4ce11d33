package io.meshfed.gateway.l7.tls;

import java.util.List;

/**
 * A filter chain's compiled {@code DownstreamTlsContext}.
 *
 * @param certificateSecrets SDS names of the server certificates (Gateway {@code credentialName} →
 *     {@code kubernetes://<name>}; {@code default} for ISTIO_MUTUAL)
 * @param validationSecret SDS name of the client CA for MUTUAL, null for none
 * @param inlineTrustedCas client CAs given inline, empty for none
 * @param sanMatchers SAN matchers for client certificates
 * @param requireClientCertificate MUTUAL: the handshake fails without a valid client certificate
 * @param alpn ALPN protocols offered ({@code h2}, {@code http/1.1}); empty for Envoy's default (none)
 * @param minVersion {@code TLSv1.2} / {@code TLSv1.3}, null for the default (1.2)
 * @param maxVersion null for the default (1.3)
 * @param cipherSuites OpenSSL cipher names, empty for the default
 */
public record DownstreamTlsSpec(List<String> certificateSecrets, String validationSecret,
                                List<java.security.cert.X509Certificate> inlineTrustedCas,
                                List<SanMatcher> sanMatchers, boolean requireClientCertificate, List<String> alpn,
                                String minVersion, String maxVersion, List<String> cipherSuites) {
}
