package io.meshfed.gateway.l7.cluster;

import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A compiled CDS {@code Cluster}.
 *
 * @param name {@code outbound|<port>|<subset>|<fqdn>}
 * @param discovery how endpoints are found
 * @param connectTimeout {@code connect_timeout} (default 5 s in Envoy; Istio sends 10 s)
 * @param lbPolicy {@code lb_policy}
 * @param ringMinSize RING_HASH {@code minimum_ring_size} (default 1024)
 * @param ringMaxSize RING_HASH {@code maximum_ring_size} (default 8M)
 * @param maglevTableSize MAGLEV {@code table_size} (default 65537)
 * @param breakers {@code circuit_breakers.thresholds[0]}
 * @param http2 true when {@code explicit_http_config.http2_protocol_options} is set
 * @param idleTimeout upstream connection idle timeout (default 1 h)
 * @param maxRequestsPerConnection 0 for unlimited
 * @param outlier outlier detection, null when off
 * @param panicThresholdPercent {@code common_lb_config.healthy_panic_threshold} (default 50)
 * @param localityWeighted {@code common_lb_config.locality_weighted_lb_config} is set
 * @param transport the plain {@code transport_socket}: TLS origination, or null for plaintext
 * @param transportMatches {@code transport_socket_matches} in order
 * @param inlineEndpoints {@code load_assignment} for STATIC and DNS clusters, null for EDS
 * @param dnsRefreshRate DNS clusters' refresh rate (default 5 s)
 */
public record ClusterSpec(String name, Discovery discovery, Duration connectTimeout, LbPolicy lbPolicy,
                          long ringMinSize, long ringMaxSize, long maglevTableSize, CircuitBreakerSpec breakers,
                          boolean http2, Duration idleTimeout, long maxRequestsPerConnection, OutlierSpec outlier,
                          int panicThresholdPercent, boolean localityWeighted, UpstreamTlsSpec transport,
                          List<TransportMatch> transportMatches, EndpointSet inlineEndpoints,
                          Duration dnsRefreshRate) {

  /** How a cluster finds its endpoints. */
  public enum Discovery { EDS, STATIC, STRICT_DNS, LOGICAL_DNS }

  /** Envoy's {@code lb_policy} values the engine implements. */
  public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV }

  /**
   * One {@code transport_socket_matches} entry.
   *
   * @param name the entry's name ({@code tlsMode-istio})
   * @param match metadata under {@code envoy.transport_socket_match} that must all be equal ({@code {}} matches all)
   * @param tls the TLS to use, null for {@code raw_buffer}
   */
  public record TransportMatch(String name, Map<String, String> match, UpstreamTlsSpec tls) {
  }

  /** The TLS for an endpoint, chosen by its transport-socket-match metadata as Envoy does; null for plaintext. */
  public UpstreamTlsSpec tlsFor(EndpointSpec endpoint) {
    for (TransportMatch candidate : transportMatches) {
      boolean all = true;
      for (Map.Entry<String, String> entry : candidate.match().entrySet()) {
        if (!entry.getValue().equals(endpoint.transportMatch().get(entry.getKey()))) {
          all = false;
          break;
        }
      }
      if (all) {
        return candidate.tls();
      }
    }
    return transport;
  }
}
