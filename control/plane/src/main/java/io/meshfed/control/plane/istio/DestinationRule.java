package io.meshfed.control.plane.istio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's DestinationRule (networking.istio.io): policies applied to traffic for a host after routing, and the
 * named subsets routes refer to.
 *
 * @param host as written
 * @param fqdn the host completed against this object's namespace
 * @param exportTo namespaces the rule is visible to; empty means all
 */
public record DestinationRule(ResourceMeta meta, String host, String fqdn, Optional<TrafficPolicy> trafficPolicy,
    List<Subset> subsets, List<String> exportTo) implements ConfigResource {

  public DestinationRule {
    subsets = List.copyOf(subsets);
    exportTo = List.copyOf(exportTo);
  }

  public Optional<Subset> subset(String name) {
    return Subset.named(subsets, name);
  }

  /** A subset: the endpoints whose labels include all of {@code labels}; its policy overrides the top-level one. */
  public record Subset(String name, Map<String, String> labels, Optional<TrafficPolicy> trafficPolicy) {

    public Subset {
      labels = Map.copyOf(labels);
    }

    /** The subset of {@code subsets} named {@code name} (a loop, not a stream: asked for every cluster). */
    public static Optional<Subset> named(List<Subset> subsets, String name) {
      for (Subset subset : subsets) {
        if (subset.name().equals(name)) {
          return Optional.of(subset);
        }
      }
      return Optional.empty();
    }
  }

  /** Port-level settings override the whole-service settings for their port, field by field. */
  public record TrafficPolicy(Optional<LoadBalancer> loadBalancer, Optional<ConnectionPool> connectionPool,
      Optional<OutlierDetection> outlierDetection, Optional<ClientTls> tls, List<PortTrafficPolicy> portLevelSettings) {

    public TrafficPolicy {
      portLevelSettings = List.copyOf(portLevelSettings);
    }

    public Optional<PortTrafficPolicy> forPort(int port) {
      // A loop, not a stream: asked for every cluster of a large mesh.
      for (PortTrafficPolicy settings : portLevelSettings) {
        if (settings.port() == port) {
          return Optional.of(settings);
        }
      }
      return Optional.empty();
    }
  }

  /** Settings for one service port, overriding the whole-service ones field by field. */
  public record PortTrafficPolicy(int port, Optional<LoadBalancer> loadBalancer,
      Optional<ConnectionPool> connectionPool, Optional<OutlierDetection> outlierDetection, Optional<ClientTls> tls) {
  }

  /** Istio's simple load-balancing algorithms (UNSPECIFIED lets meshfed choose, as Istio does). */
  public enum SimpleLb { UNSPECIFIED, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST }

  /** At most one of {@code simple} and {@code consistentHash}; locality settings combine with either. */
  public record LoadBalancer(Optional<SimpleLb> simple, Optional<ConsistentHash> consistentHash,
      Optional<LocalityLb> localityLbSetting) {
  }

  /**
   * Session affinity: exactly one hash key. {@code ringHashMinimumRingSize} and {@code maglevTableSize} choose the
   * algorithm (ring hash by default, as Istio).
   */
  public record ConsistentHash(Optional<String> httpHeaderName, Optional<HttpCookie> httpCookie, boolean useSourceIp,
      Optional<String> httpQueryParameterName, Optional<Long> ringHashMinimumRingSize,
      Optional<Long> maglevTableSize) {
  }

  /** A cookie to hash on; generated with {@code path} and {@code ttl} when absent. */
  public record HttpCookie(String name, Optional<String> path, Optional<Duration> ttl) {
  }

  /**
   * Locality-weighted load balancing or failover (mutually exclusive with {@code distribute}). Istio enables
   * locality failover only when outlier detection is configured.
   */
  public record LocalityLb(Optional<Boolean> enabled, List<Distribute> distribute, List<Failover> failover,
      List<String> failoverPriority) {

    public LocalityLb {
      distribute = List.copyOf(distribute);
      failover = List.copyOf(failover);
      failoverPriority = List.copyOf(failoverPriority);
    }
  }

  /** @param to locality (region/zone/subzone, {@code *} wildcards) to weight; weights sum to 100 */
  public record Distribute(String from, Map<String, Integer> to) {

    public Distribute {
      to = Map.copyOf(to);
    }
  }

  /** Regions only: traffic from {@code from} fails over to {@code to} when {@code from} has no healthy endpoint. */
  public record Failover(String from, String to) {
  }

  /** Upstream connection limits; unset values keep the gateway's defaults. */
  public record ConnectionPool(Optional<Tcp> tcp, Optional<Http> http) {
  }

  /** TCP-level limits and timeouts. */
  public record Tcp(Optional<Integer> maxConnections, Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout, Optional<Duration> maxConnectionDuration) {
  }

  /** Whether HTTP/1.1 upstream connections are upgraded to HTTP/2. */
  public enum H2UpgradePolicy { DEFAULT, DO_NOT_UPGRADE, UPGRADE }

  /** HTTP-level limits: pending requests, concurrent requests, retries and idle timeout. */
  public record Http(Optional<Integer> http1MaxPendingRequests, Optional<Integer> http2MaxRequests,
      Optional<Integer> maxRequestsPerConnection, Optional<Integer> maxRetries, Optional<Duration> idleTimeout,
      H2UpgradePolicy h2UpgradePolicy, boolean useClientProtocol) {
  }

  /**
   * Passive health checking, with Istio's defaults filled in: {@code consecutive5xxErrors} 5 (unless only
   * {@code consecutiveGatewayErrors} is set), {@code interval} 10s, {@code baseEjectionTime} 30s,
   * {@code maxEjectionPercent} 10, {@code minHealthPercent} 0 (Envoy's panic threshold then disabled).
   */
  public record OutlierDetection(Optional<Integer> consecutive5xxErrors, Optional<Integer> consecutiveGatewayErrors,
      Duration interval, Duration baseEjectionTime, int maxEjectionPercent, int minHealthPercent) {
  }

  /** How the gateway speaks TLS to the upstream. */
  public enum TlsMode { DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL }

  /** How the gateway connects to the upstream; {@code ISTIO_MUTUAL} uses meshfed-issued SPIFFE certificates. */
  public record ClientTls(TlsMode mode, Optional<String> clientCertificate, Optional<String> privateKey,
      Optional<String> caCertificates, Optional<String> credentialName, List<String> subjectAltNames,
      Optional<String> sni, boolean insecureSkipVerify) {

    public ClientTls {
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }
}
