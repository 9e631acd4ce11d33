package io.meshfed.gateway.eastwest.tls;

import java.util.List;
import java.util.Objects;

/**
 * What an {@code UpstreamTlsContext} asks for: the SNI to send (Istio's {@code outbound_.<port>_.<subset>_.<fqdn>}),
 * the client certificate ({@code null}: none), how to verify the server ({@code null}: not verified, as Envoy does
 * without a validation context) and the ALPN list.
 */
public record ClientTlsSpec(String sni, TlsCertificate certificate, PeerValidation serverValidation,
    List<String> alpn, TlsParameters parameters) {

  public ClientTlsSpec {
    Objects.requireNonNull(sni, "sni");
    alpn = List.copyOf(alpn);
    Objects.requireNonNull(parameters, "parameters");
  }
}
