package io.meshfed.gateway.eastwest.tls;

import java.util.List;
import java.util.Objects;

/**
 * What a terminating filter chain's {@code DownstreamTlsContext} asks for: the gateway's certificate, how to verify
 * clients ({@code null}: no client certificate requested), whether one is required, and the ALPN list in server
 * preference order.
 */
public record ServerTlsSpec(TlsCertificate certificate, PeerValidation clientValidation, boolean requireClientCertificate,
    List<String> alpn, TlsParameters parameters) {

  public ServerTlsSpec {
    Objects.requireNonNull(certificate, "certificate");
    alpn = List.copyOf(alpn);
    Objects.requireNonNull(parameters, "parameters");
  }
}
