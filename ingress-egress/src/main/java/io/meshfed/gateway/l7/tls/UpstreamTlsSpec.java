package io.meshfed.gateway.l7.tls;

import java.util.List;

/**
 * A cluster's compiled {@code UpstreamTlsContext}: Istio mTLS ({@code tlsMode-istio}) or TLS origination
 * (DestinationRule {@code SIMPLE} / {@code MUTUAL}).
 *
 * @param sni the SNI to send; may be an Istio name with underscores, sent natively past the JDK's check
 * @param certificateSecrets SDS names of the client certificate ({@code default}; {@code kubernetes://...}), empty
 *     for none
 * @param validationSecret SDS name of the trusted CAs ({@code ROOTCA}, {@code kubernetes://<name>-cacert}), null
 *     when given inline or the system roots are used
 * @param inlineTrustedCas CAs given inline
 * @param systemRoots trust the JDK's default roots (a validation context without CAs, or Istio's
 *     {@code /etc/ssl/certs/ca-certificates.crt})
 * @param verify false when the validation context is absent: Envoy then does not verify the peer
 * @param sanMatchers SAN matchers (for Istio: URI prefix {@code spiffe://<trust domain>/})
 * @param alpn ALPN protocols offered
 * @param minVersion minimum TLS version, null for the default
 * @param maxVersion maximum TLS version, null for the default
 */
public record UpstreamTlsSpec(String sni, List<String> certificateSecrets, String validationSecret,
                              List<java.security.cert.X509Certificate> inlineTrustedCas, boolean systemRoots,
                              boolean verify, List<SanMatcher> sanMatchers, List<String> alpn, String minVersion,
                              String maxVersion) {
}
