package io.meshfed.gateway.eastwest.tls;

import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.util.List;
import java.util.Objects;

/**
 * What a {@code CertificateValidationContext} asks of a peer: a chain to one of the bundle's roots and a URI SAN that
 * matches one of {@code sanMatchers} (Istio puts one {@code spiffe://<trust domain>/} prefix per accepted trust
 * domain). An empty matcher list accepts any SAN, as Envoy does.
 */
public record PeerValidation(TrustBundle bundle, List<StringMatch> sanMatchers) {

  public PeerValidation {
    Objects.requireNonNull(bundle, "bundle");
    sanMatchers = List.copyOf(sanMatchers);
  }
}
