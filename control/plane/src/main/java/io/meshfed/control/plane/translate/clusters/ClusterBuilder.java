package io.meshfed.control.plane.translate.clusters;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import com.google.protobuf.WireFormat;
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
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.TypedAny;
import io.meshfed.control.plane.xds.WireSplice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a {@link Cluster} from a {@link ClusterSpec} (docs/xds-profile.md, "Clusters"), or its serialisation. Parts
 * most clusters have in common (EDS config, unlimited circuit breakers, HTTP options, the Istio mTLS context) are one
 * shared immutable instance, which keeps a mesh of tens of thousands of clusters small. Thread-safe: specs are
 * immutable, the memos are concurrent.
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
  /** Templates kept at most; a mesh has a handful (one per distinct policy, protocol and flags). */
  static final int MAX_TEMPLATES = 4096;

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

  // Cluster's name and transport-socket fields, TransportSocketMatch's transport_socket (after its name and match).
  private static final int NAME = Cluster.NAME_FIELD_NUMBER;
  private static final int MATCH_SOCKET = Cluster.TransportSocketMatch.TRANSPORT_SOCKET_FIELD_NUMBER;
  private static final int TRANSPORT_SOCKET = Cluster.TRANSPORT_SOCKET_FIELD_NUMBER;
  private static final int TRANSPORT_SOCKET_MATCHES = Cluster.TRANSPORT_SOCKET_MATCHES_FIELD_NUMBER;
  private static final byte[] ISTIO_MATCH_HEAD = Snapshot.deterministicBytes(Cluster.TransportSocketMatch.newBuilder()
      .setName("tlsMode-istio").setMatch(ISTIO_MATCH).build());
  private static final byte[] PLAINTEXT_MATCH_BYTES = Snapshot.deterministicBytes(PLAINTEXT_MATCH);

  // Concurrent: clusters are built in parallel (the translator's Caches.prebuild); equal keys give equal values.
  private final Map<List<String>, UpstreamTls.Istio> istioContexts = new ConcurrentHashMap<>();
  private final Map<ClusterSpec, Template> templates = new ConcurrentHashMap<>();

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

  /**
   * {@link #build}'s cluster serialised deterministically ({@link Snapshot#deterministicBytes}). EDS clusters in
   * plaintext or Istio mTLS differ by their name and SNI alone when their policy is the same, as most of a mesh's do:
   * those are written from their template, the bytes of such a cluster without name and transport socket, serialised
   * once, with the name and the transport socket spliced in where their field numbers fall (docs/translation.md,
   * "Speed"); the others are built and serialised.
   */
  public byte[] serialize(ClusterSpec spec) {
    if (spec.discovery() != ClusterSpec.Discovery.EDS || spec.transport() == ClusterSpec.Transport.ORIGINATE) {
      return Snapshot.deterministicBytes(build(spec));
    }
    ClusterSpec key = templateKey(spec);
    Template template = templates.get(key);
    if (template == null) {
      if (templates.size() >= MAX_TEMPLATES) {
        templates.clear(); // a memo: policies edited over a long life must not grow it without bound
      }
      template = templates.computeIfAbsent(key, this::template);
    }
    byte[] socket = spec.transport() == ClusterSpec.Transport.NONE ? null
        : Snapshot.deterministicBytes(istio(spec.trustDomains()).socket(spec.sni()));
    return template.write(spec.name(), spec.transport(), socket);
  }

  /**
   * What a template's bytes depend on: the spec as {@link #build} reads it for a plaintext cluster without a name
   * (the transport, SNI, trust domains, TLS settings and inline endpoints set aside).
   */
  private static ClusterSpec templateKey(ClusterSpec spec) {
    EffectivePolicy policy = spec.policy();
    if (policy.tls().isPresent()) {
      policy = new EffectivePolicy(policy.loadBalancer(), policy.connectionPool(), policy.outlierDetection(),
          Optional.empty());
    }
    return new ClusterSpec("", spec.discovery(), Optional.empty(), spec.protocol(), policy,
        ClusterSpec.Transport.NONE, "", List.of(), Optional.empty(), "", spec.defaultOutlierDetection(),
        spec.lbConfigAllowed(), spec.localityWeighted());
  }

  private Template template(ClusterSpec key) {
    byte[] bytes = Snapshot.deterministicBytes(build(key));
    return new Template(bytes, WireSplice.insertionPoint(bytes, TRANSPORT_SOCKET),
        WireSplice.insertionPoint(bytes, TRANSPORT_SOCKET_MATCHES));
  }

  /**
   * A cluster's serialisation without its name (field 1) and transport socket fields (fields in number order), and
   * the offsets where the fields numbered above transport_socket (24) and transport_socket_matches (43) start.
   */
  private record Template(byte[] bytes, int socketAt, int matchesAt) {

    /**
     * The cluster named {@code name}: plaintext ({@link ClusterSpec.Transport#NONE}, no socket), {@code socket} as
     * its transport socket ({@code ISTIO}), or the socket matches of Istio's auto mTLS ({@code ISTIO_AUTO}:
     * {@code socket} for endpoints labelled {@code tlsMode: istio}, plaintext for the rest).
     */
    byte[] write(String name, ClusterSpec.Transport transport, byte[] socket) {
      boolean auto = transport == ClusterSpec.Transport.ISTIO_AUTO;
      boolean single = transport == ClusterSpec.Transport.ISTIO;
      int matchSize = auto ? ISTIO_MATCH_HEAD.length + CodedOutputStream.computeByteArraySize(MATCH_SOCKET, socket)
          : 0;
      // proto3: an empty string is not written.
      int size = (name.isEmpty() ? 0 : CodedOutputStream.computeStringSize(NAME, name)) + bytes.length
          + (single ? CodedOutputStream.computeByteArraySize(TRANSPORT_SOCKET, socket) : 0)
          + (auto ? CodedOutputStream.computeTagSize(TRANSPORT_SOCKET_MATCHES) * 2
              + CodedOutputStream.computeUInt32SizeNoTag(matchSize) + matchSize
              + CodedOutputStream.computeByteArraySizeNoTag(PLAINTEXT_MATCH_BYTES) : 0);
      byte[] out = new byte[size];
      CodedOutputStream stream = CodedOutputStream.newInstance(out);
      try {
        if (!name.isEmpty()) {
          stream.writeString(NAME, name);
        }
        stream.writeRawBytes(bytes, 0, socketAt);
        if (single) {
          stream.writeByteArray(TRANSPORT_SOCKET, socket);
        }
        stream.writeRawBytes(bytes, socketAt, matchesAt - socketAt);
        if (auto) {
          stream.writeTag(TRANSPORT_SOCKET_MATCHES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          stream.writeUInt32NoTag(matchSize);
          stream.writeRawBytes(ISTIO_MATCH_HEAD);
          stream.writeByteArray(MATCH_SOCKET, socket);
          stream.writeByteArray(TRANSPORT_SOCKET_MATCHES, PLAINTEXT_MATCH_BYTES);
        }
        stream.writeRawBytes(bytes, matchesAt, bytes.length - matchesAt);
        stream.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out;
    }
  }

  private UpstreamTls.Istio istio(List<String> trustDomains) {
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
