package io.meshfed.control.plane.translate.clusters;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.translate.model.Protocol;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one cluster is built from; equal specs build equal clusters (the translator caches by spec).
 *
 * @param name the cluster name
 * @param discovery EDS, or an inline load assignment resolved by the gateway ({@code STATIC}, {@code STRICT_DNS})
 * @param inline the inline load assignment for STATIC and STRICT_DNS
 * @param protocol the port's protocol (HTTP options for HTTP ports)
 * @param policy the DestinationRule's policy for this port and subset
 * @param transport how the gateway secures the hop
 * @param sni the Istio SNI for {@link Transport#ISTIO_AUTO} and {@link Transport#ISTIO}
 * @param trustDomains accepted peer trust domains (the SAN prefix matchers), the primary first
 * @param originate the DestinationRule TLS settings for {@link Transport#ORIGINATE}
 * @param originateSni the SNI when originating TLS (DestinationRule {@code sni}, else the host)
 * @param defaultOutlierDetection outlier detection when the policy has none (the east-west outbound listener)
 * @param lbConfigAllowed whether ring-hash/maglev tuning may be set (the east-west gateway reads only the policy)
 * @param localityWeighted set locality-weighted LB (DestinationRule {@code distribute})
 */
public record ClusterSpec(String name, Discovery discovery, Optional<ClusterLoadAssignment> inline,
    Protocol protocol, EffectivePolicy policy, Transport transport, String sni, List<String> trustDomains,
    Optional<ClientTls> originate, String originateSni, boolean defaultOutlierDetection, boolean lbConfigAllowed,
    boolean localityWeighted) {

  /** How endpoints are found. */
  public enum Discovery { EDS, STATIC, STRICT_DNS }

  /** How the gateway secures connections to the endpoints. */
  public enum Transport {
    /** Plaintext. */
    NONE,
    /** Istio mTLS to endpoints labelled {@code tlsMode: istio}, plaintext to the rest (Istio's auto mTLS). */
    ISTIO_AUTO,
    /** Istio mTLS to every endpoint (DestinationRule {@code ISTIO_MUTUAL}). */
    ISTIO,
    /** TLS origination (DestinationRule {@code SIMPLE} / {@code MUTUAL}). */
    ORIGINATE
  }

  public ClusterSpec {
    Objects.requireNonNull(name, "name");
    trustDomains = List.copyOf(trustDomains);
  }
}
