package io.meshfed.control.plane.translate.clusters;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRule.ConnectionPool;
import io.meshfed.control.plane.istio.DestinationRule.ConsistentHash;
import io.meshfed.control.plane.istio.DestinationRule.H2UpgradePolicy;
import io.meshfed.control.plane.istio.DestinationRule.LoadBalancer;
import io.meshfed.control.plane.istio.DestinationRule.SimpleLb;
import io.meshfed.control.plane.xds.TypedAny;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds a {@link Cluster} from a {@link ClusterSpec} (docs/xds-profile.md, "Clusters"). Parts most clusters have
 * in common (EDS config, unlimited circuit breakers, HTTP options, the Istio mTLS context) are one shared immutable
 * instance, which keeps a mesh of tens of thousands of clusters small. Thread-safe: specs are immutable, the memo is
 * concurrent.
 */
public final class ClusterBuilder {

  /** Istio's default {@code connectTimeout} (meshConfig.connectTimeout). */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Istio disables Envoy's default circuit breakers (1024) by setting every threshold to the largest uint32,
   * unless the DestinationRule's connection pool sets one.
   */
  static final int UNLIMITED = -1; // as uint32: 4294967295
  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private static final Cluster.EdsClusterConfig EDS_CONFIG = Cluster.EdsClusterConfig.newBuilder()
      .setEdsConfig(UpstreamTls.ads()).build();
  private static final com.google.protobuf.Duration DEFAULT_TIMEOUT = Durations.fromSeconds(10);
  private static final CircuitBreakers UNLIMITED_BREAKERS = circuitBreakers(Optional.empty());
  private static final ByteString HTTP_OPTIONS_TYPE = TypedAny.typeUrl(io.envoyproxy.envoy.extensions.upstreams.http
      .v3.HttpProtocolOptions.getDescriptor());
  private static final Any HTTP1_OPTIONS = TypedAny.pack(HTTP_OPTIONS_TYPE, io.envoyproxy.envoy.extensions.upstreams
      .http.v3.HttpProtocolOptions.newBuilder().setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
          .HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttpProtocolOptions(
              Http1ProtocolOptions.getDefaultInstance())).build());
  private static final Any HTTP2_OPTIONS = TypedAny.pack(HTTP_OPTIONS_TYPE, io.envoyproxy.envoy.extensions.upstreams
      .http.v3.HttpProtocolOptions.newBuilder().setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
          .HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(
              Http2ProtocolOptions.getDefaultInstance())).build());
  private static final OutlierDetection DEFAULT_OUTLIER = defaultOutlier();
  private static final Cluster.TransportSocketMatch PLAINTEXT_MATCH = Cluster.TransportSocketMatch.newBuilder()
      .setName("tlsMode-disabled").setMatch(Struct.getDefaultInstance()).setTransportSocket(UpstreamTls.rawBuffer())
      .build();
  private static final Struct ISTIO_MATCH = Struct.newBuilder()
      .putFields("tlsMode", Value.newBuilder().setStringValue("istio").build()).build();

  // Concurrent: clusters are built in parallel (the translator's Caches.prebuild); equal keys give equal contexts.
  private final java.util.Map<java.util.List<String>, UpstreamTls.Istio> istioContexts =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ClusterBuilder() {
  }

  public Cluster build(ClusterSpec spec) {
    Cluster.Builder cluster = Cluster.newBuilder().setName(spec.name());
    switch (spec.discovery()) {
      case EDS -> cluster.setType(Cluster.DiscoveryType.EDS).setEdsClusterConfig(EDS_CONFIG);
      case STATIC -> cluster.setType(Cluster.DiscoveryType.STATIC).setLoadAssignment(spec.inline().orElseThrow());
      case STRICT_DNS -> cluster.setType(Cluster.DiscoveryType.STRICT_DNS)
          .setLoadAssignment(spec.inline().orElseThrow());
    }
    EffectivePolicy policy = spec.policy();
    Optional<ConnectionPool> pool = policy.connectionPool();
    Duration connectTimeout = pool.flatMap(ConnectionPool::tcp).flatMap(DestinationRule.Tcp::connectTimeout)
        .orElse(DEFAULT_CONNECT_TIMEOUT);
    cluster.setConnectTimeout(connectTimeout.equals(DEFAULT_CONNECT_TIMEOUT) ? DEFAULT_TIMEOUT
        : Durations.fromNanos(connectTimeout.toNanos()));
    loadBalancer(cluster, policy.loadBalancer(), spec.lbConfigAllowed());
    cluster.setCircuitBreakers(pool.isEmpty() ? UNLIMITED_BREAKERS : circuitBreakers(pool));
    if (spec.protocol().isHttp()) {
      cluster.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, httpOptions(spec, pool));
    }
    if (policy.outlierDetection().isPresent()) {
      DestinationRule.OutlierDetection od = policy.outlierDetection().get();
      cluster.setOutlierDetection(outlier(od));
      cluster.getCommonLbConfigBuilder().setHealthyPanicThreshold(Percent.newBuilder()
          .setValue(od.minHealthPercent()));
    } else if (spec.defaultOutlierDetection()) {
      cluster.setOutlierDetection(DEFAULT_OUTLIER);
    }
    if (spec.localityWeighted()) {
      cluster.getCommonLbConfigBuilder().setLocalityWeightedLbConfig(
          io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance());
    }
    switch (spec.transport()) {
      case NONE -> {
      }
      case ISTIO_AUTO -> cluster
          .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
              .setMatch(ISTIO_MATCH).setTransportSocket(istio(spec.trustDomains()).socket(spec.sni())))
          .addTransportSocketMatches(PLAINTEXT_MATCH);
      case ISTIO -> cluster.setTransportSocket(istio(spec.trustDomains()).socket(spec.sni()));
      case ORIGINATE -> cluster.setTransportSocket(UpstreamTls.originate(spec.originate().orElseThrow(),
          spec.originateSni()));
    }
    return cluster.build();
  }

  private UpstreamTls.Istio istio(java.util.List<String> trustDomains) {
    return istioContexts.computeIfAbsent(trustDomains, UpstreamTls.Istio::new);
  }

  private static void loadBalancer(Cluster.Builder cluster, Optional<LoadBalancer> lb, boolean lbConfigAllowed) {
    Cluster.LbPolicy policy = Cluster.LbPolicy.ROUND_ROBIN;
    if (lb.isPresent() && lb.get().consistentHash().isPresent()) {
      ConsistentHash hash = lb.get().consistentHash().get();
      if (hash.maglevTableSize().isPresent()) {
        policy = Cluster.LbPolicy.MAGLEV;
        if (lbConfigAllowed) {
          cluster.setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder()
              .setTableSize(UInt64Value.of(hash.maglevTableSize().get())));
        }
      } else {
        policy = Cluster.LbPolicy.RING_HASH;
        if (lbConfigAllowed && hash.ringHashMinimumRingSize().isPresent()) {
          cluster.setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder()
              .setMinimumRingSize(UInt64Value.of(hash.ringHashMinimumRingSize().get())));
        }
      }
    } else if (lb.isPresent() && lb.get().simple().isPresent()) {
      SimpleLb simple = lb.get().simple().get();
      policy = switch (simple) {
        case RANDOM -> Cluster.LbPolicy.RANDOM;
        case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
        // PASSTHROUGH (original destination) cannot apply at a gateway; the spec's creator reported it.
        case ROUND_ROBIN, UNSPECIFIED, PASSTHROUGH -> Cluster.LbPolicy.ROUND_ROBIN;
      };
    }
    cluster.setLbPolicy(policy);
  }

  private static CircuitBreakers circuitBreakers(Optional<ConnectionPool> pool) {
    Optional<DestinationRule.Tcp> tcp = pool.flatMap(ConnectionPool::tcp);
    Optional<DestinationRule.Http> http = pool.flatMap(ConnectionPool::http);
    CircuitBreakers.Thresholds thresholds = CircuitBreakers.Thresholds.newBuilder()
        .setPriority(RoutingPriority.DEFAULT)
        .setMaxConnections(UInt32Value.of(tcp.flatMap(DestinationRule.Tcp::maxConnections).orElse(UNLIMITED)))
        .setMaxPendingRequests(UInt32Value.of(http.flatMap(DestinationRule.Http::http1MaxPendingRequests)
            .orElse(UNLIMITED)))
        .setMaxRequests(UInt32Value.of(http.flatMap(DestinationRule.Http::http2MaxRequests).orElse(UNLIMITED)))
        .setMaxRetries(UInt32Value.of(http.flatMap(DestinationRule.Http::maxRetries).orElse(UNLIMITED)))
        .build();
    return CircuitBreakers.newBuilder().addThresholds(thresholds).build();
  }

  private static Any httpOptions(ClusterSpec spec, Optional<ConnectionPool> pool) {
    Optional<DestinationRule.Http> http = pool.flatMap(ConnectionPool::http);
    boolean h2 = spec.protocol().isHttp2()
        || http.map(h -> h.h2UpgradePolicy() == H2UpgradePolicy.UPGRADE).orElse(false);
    if (http.flatMap(DestinationRule.Http::idleTimeout).isEmpty()
        && http.flatMap(DestinationRule.Http::maxRequestsPerConnection).isEmpty()) {
      return h2 ? HTTP2_OPTIONS : HTTP1_OPTIONS;
    }
    var options = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
    HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
    boolean anyCommon = false;
    if (http.flatMap(DestinationRule.Http::idleTimeout).isPresent()) {
      common.setIdleTimeout(Durations.fromNanos(http.get().idleTimeout().get().toNanos()));
      anyCommon = true;
    }
    if (http.flatMap(DestinationRule.Http::maxRequestsPerConnection).isPresent()) {
      common.setMaxRequestsPerConnection(UInt32Value.of(http.get().maxRequestsPerConnection().get()));
      anyCommon = true;
    }
    if (anyCommon) {
      options.setCommonHttpProtocolOptions(common);
    }
    var explicit = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig
        .newBuilder();
    if (h2) {
      explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
    } else {
      explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
    }
    return TypedAny.pack(HTTP_OPTIONS_TYPE, options.setExplicitHttpConfig(explicit).build());
  }

  /**
   * Istio's outlier detection: {@code consecutive5xxErrors} → {@code consecutive_5xx} enforced at 100 %,
   * {@code consecutiveGatewayErrors} → {@code consecutive_gateway_failure} enforced at 100 % (0 disables each).
   */
  private static OutlierDetection outlier(DestinationRule.OutlierDetection od) {
    OutlierDetection.Builder out = OutlierDetection.newBuilder()
        .setInterval(Durations.fromNanos(od.interval().toNanos()))
        .setBaseEjectionTime(Durations.fromNanos(od.baseEjectionTime().toNanos()))
        .setMaxEjectionPercent(UInt32Value.of(od.maxEjectionPercent()));
    int fiveXx = od.consecutive5xxErrors().orElse(0);
    out.setConsecutive5Xx(UInt32Value.of(fiveXx)).setEnforcingConsecutive5Xx(UInt32Value.of(fiveXx > 0 ? 100 : 0));
    if (od.consecutiveGatewayErrors().isPresent()) {
      int gateway = od.consecutiveGatewayErrors().get();
      out.setConsecutiveGatewayFailure(UInt32Value.of(gateway))
          .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(gateway > 0 ? 100 : 0));
    }
    return out.build();
  }

  /**
   * The east-west outbound listener's default (docs/xds-profile.md: "outlier_detection on by default"): a remote
   * gateway failing 5 times in a row (connect failures count, as gateway errors) is ejected for 30 s, any number of
   * them, so traffic moves to the next priority.
   */
  private static OutlierDetection defaultOutlier() {
    return OutlierDetection.newBuilder()
        .setConsecutive5Xx(UInt32Value.of(5)).setEnforcingConsecutive5Xx(UInt32Value.of(100))
        .setConsecutiveGatewayFailure(UInt32Value.of(5)).setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100))
        .setInterval(Durations.fromSeconds(10)).setBaseEjectionTime(Durations.fromSeconds(30))
        .setMaxEjectionPercent(UInt32Value.of(100))
        .build();
  }
}
