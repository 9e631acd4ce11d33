package io.meshfed.gateway.l7.config;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.meshfed.gateway.l7.cluster.CircuitBreakerSpec;
import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.cluster.EndpointSet;
import io.meshfed.gateway.l7.cluster.OutlierSpec;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compiles a CDS {@code Cluster} (profile: "Clusters (CDS), all roles"). */
final class ClusterCompiler {

  private static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterCompiler() {
  }

  static ClusterSpec compile(Cluster cluster, Problems problems, List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(cluster, "", problems, Set.of("name", "type", "eds_cluster_config", "connect_timeout",
        "lb_policy", "ring_hash_lb_config", "maglev_lb_config", "least_request_lb_config", "circuit_breakers",
        "typed_extension_protocol_options", "outlier_detection", "common_lb_config", "transport_socket",
        "transport_socket_matches", "load_assignment", "dns_refresh_rate", "dns_lookup_family", "respect_dns_ttl",
        "metadata", "alt_stat_name", "per_connection_buffer_limit_bytes", "cleanup_interval"));
    String name = cluster.getName();
    ClusterSpec.Discovery discovery = switch (cluster.getType()) {
      case EDS -> ClusterSpec.Discovery.EDS;
      case STATIC -> ClusterSpec.Discovery.STATIC;
      case STRICT_DNS -> ClusterSpec.Discovery.STRICT_DNS;
      case LOGICAL_DNS -> ClusterSpec.Discovery.LOGICAL_DNS;
      default -> {
        problems.unsupported("type", "cluster type " + cluster.getType()
            + " (expected: EDS, STATIC, STRICT_DNS or LOGICAL_DNS)");
        yield ClusterSpec.Discovery.STATIC;
      }
    };
    if (discovery == ClusterSpec.Discovery.EDS) {
      var eds = cluster.getEdsClusterConfig();
      Protos.allowOnly(eds, "eds_cluster_config", problems, Set.of("eds_config", "service_name"));
      if (!eds.getEdsConfig().hasAds()) {
        problems.unsupported("eds_cluster_config.eds_config", "EDS config source other than ads {}");
      }
      if (!eds.getServiceName().isEmpty() && !eds.getServiceName().equals(name)) {
        problems.unsupported("eds_cluster_config.service_name", "a service_name different from the cluster name");
      }
    }
    Duration connectTimeout = cluster.hasConnectTimeout()
        ? Protos.duration(true, cluster.getConnectTimeout()) : Duration.ofSeconds(5);
    if (connectTimeout.isZero() || connectTimeout.isNegative()) {
      problems.error("connect_timeout", connectTimeout + " (expected: a positive duration, Istio default 10s)");
    }
    ClusterSpec.LbPolicy lb = switch (cluster.getLbPolicy()) {
      case ROUND_ROBIN -> ClusterSpec.LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> ClusterSpec.LbPolicy.LEAST_REQUEST;
      case RANDOM -> ClusterSpec.LbPolicy.RANDOM;
      case RING_HASH -> ClusterSpec.LbPolicy.RING_HASH;
      case MAGLEV -> ClusterSpec.LbPolicy.MAGLEV;
      default -> {
        problems.unsupported("lb_policy", "lb_policy " + cluster.getLbPolicy()
            + " (expected: ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV)");
        yield ClusterSpec.LbPolicy.ROUND_ROBIN;
      }
    };
    long ringMin = 1024;
    long ringMax = 8L * 1024 * 1024;
    if (cluster.hasRingHashLbConfig()) {
      var ring = cluster.getRingHashLbConfig();
      Protos.allowOnly(ring, "ring_hash_lb_config", problems, Set.of("minimum_ring_size", "maximum_ring_size",
          "hash_function"));
      if (ring.hasMinimumRingSize()) {
        ringMin = ring.getMinimumRingSize().getValue();
      }
      if (ring.hasMaximumRingSize()) {
        ringMax = ring.getMaximumRingSize().getValue();
      }
      if (ringMin < 1 || ringMin > ringMax || ringMax > 8L * 1024 * 1024) {
        problems.error("ring_hash_lb_config", "minimum_ring_size " + ringMin + ", maximum_ring_size " + ringMax
            + " (expected: 1 <= minimum <= maximum <= 8M)");
      }
    }
    long maglev = 65537;
    if (cluster.hasMaglevLbConfig()) {
      Protos.allowOnly(cluster.getMaglevLbConfig(), "maglev_lb_config", problems, Set.of("table_size"));
      if (cluster.getMaglevLbConfig().hasTableSize()) {
        maglev = cluster.getMaglevLbConfig().getTableSize().getValue();
        if (!java.math.BigInteger.valueOf(maglev).isProbablePrime(20) || maglev > 5000011) {
          problems.error("maglev_lb_config.table_size", maglev + " (expected: a prime up to 5000011)");
        }
      }
    }
    CircuitBreakerSpec breakers = breakers(cluster, problems);
    boolean http2 = false;
    Duration idle = Duration.ofHours(1);
    long maxPerConnection = 0;
    for (Map.Entry<String, Any> entry : cluster.getTypedExtensionProtocolOptionsMap().entrySet()) {
      String at = "typed_extension_protocol_options[" + entry.getKey() + "]";
      if (!Protos.typeName(entry.getValue()).equals(HTTP_OPTIONS)) {
        problems.unsupported(at, "protocol options " + Protos.typeName(entry.getValue())
            + " (expected: " + HTTP_OPTIONS + ")");
        continue;
      }
      HttpProtocolOptions options = Protos.unpack(entry.getValue(), HttpProtocolOptions.class, at, problems);
      if (options == null) {
        continue;
      }
      Protos.allowOnly(options, at, problems, Set.of("common_http_protocol_options", "explicit_http_config"));
      if (options.hasCommonHttpProtocolOptions()) {
        var common = options.getCommonHttpProtocolOptions();
        Protos.allowOnly(common, at + ".common_http_protocol_options", problems, Set.of("idle_timeout",
            "max_requests_per_connection"));
        idle = Protos.durationZeroDisables(common.hasIdleTimeout(), common.getIdleTimeout(), idle);
        if (common.hasMaxRequestsPerConnection()) {
          maxPerConnection = common.getMaxRequestsPerConnection().getValue();
        }
      }
      if (options.hasExplicitHttpConfig()) {
        var explicit = options.getExplicitHttpConfig();
        http2 = explicit.hasHttp2ProtocolOptions();
        if (explicit.hasHttp3ProtocolOptions()) {
          problems.unsupported(at + ".explicit_http_config.http3_protocol_options", "HTTP/3 upstreams");
        }
      }
    }
    OutlierSpec outlier = cluster.hasOutlierDetection() ? outlier(cluster, problems) : null;
    int panic = 50;
    boolean localityWeighted = false;
    if (cluster.hasCommonLbConfig()) {
      var common = cluster.getCommonLbConfig();
      Protos.allowOnly(common, "common_lb_config", problems, Set.of("healthy_panic_threshold",
          "locality_weighted_lb_config"));
      if (common.hasHealthyPanicThreshold()) {
        panic = (int) Math.round(common.getHealthyPanicThreshold().getValue());
      }
      localityWeighted = common.hasLocalityWeightedLbConfig();
    }
    UpstreamTlsSpec transport = cluster.hasTransportSocket()
        ? transport(cluster.getTransportSocket(), name, "transport_socket", problems, inlineSecrets) : null;
    List<ClusterSpec.TransportMatch> matches = new ArrayList<>();
    for (int i = 0; i < cluster.getTransportSocketMatchesCount(); i++) {
      var match = cluster.getTransportSocketMatches(i);
      String at = "transport_socket_matches[" + i + "]";
      Protos.allowOnly(match, at, problems, Set.of("name", "match", "transport_socket"));
      matches.add(new ClusterSpec.TransportMatch(match.getName(), flatStrings(match.getMatch(), at + ".match",
          problems), transport(match.getTransportSocket(), name, at + ".transport_socket", problems,
          inlineSecrets)));
    }
    EndpointSet inline = null;
    if (cluster.hasLoadAssignment()) {
      if (discovery == ClusterSpec.Discovery.EDS) {
        problems.error("load_assignment", "set on an EDS cluster (expected: endpoints from EDS)");
      }
      inline = EndpointCompiler.compile(cluster.getLoadAssignment(), "load_assignment", problems,
          discovery != ClusterSpec.Discovery.STATIC);
    } else if (discovery != ClusterSpec.Discovery.EDS) {
      problems.error("load_assignment", "missing (expected: the endpoints of a " + discovery + " cluster)");
    }
    Duration dnsRefresh = Protos.durationZeroDisables(cluster.hasDnsRefreshRate(), cluster.getDnsRefreshRate(),
        Duration.ofSeconds(5));
    return new ClusterSpec(name, discovery, connectTimeout, lb, ringMin, ringMax, maglev, breakers, http2, idle,
        maxPerConnection, outlier, panic, localityWeighted, transport, List.copyOf(matches), inline,
        dnsRefresh == null ? Duration.ofSeconds(5) : dnsRefresh);
  }

  private static CircuitBreakerSpec breakers(Cluster cluster, Problems problems) {
    if (!cluster.hasCircuitBreakers()) {
      return CircuitBreakerSpec.DEFAULTS;
    }
    var breakers = cluster.getCircuitBreakers();
    Protos.allowOnly(breakers, "circuit_breakers", problems, Set.of("thresholds"));
    CircuitBreakerSpec result = CircuitBreakerSpec.DEFAULTS;
    for (int i = 0; i < breakers.getThresholdsCount(); i++) {
      var threshold = breakers.getThresholds(i);
      String at = "circuit_breakers.thresholds[" + i + "]";
      Protos.allowOnly(threshold, at, problems, Set.of("priority", "max_connections", "max_pending_requests",
          "max_requests", "max_retries", "track_remaining"));
      if (threshold.getPriority() != io.envoyproxy.envoy.config.core.v3.RoutingPriority.DEFAULT) {
        problems.unsupported(at + ".priority", "routing priority HIGH (expected: DEFAULT)");
        continue;
      }
      result = new CircuitBreakerSpec(
          threshold.hasMaxConnections() ? clamp(threshold.getMaxConnections().getValue()) : 1024,
          threshold.hasMaxPendingRequests() ? clamp(threshold.getMaxPendingRequests().getValue()) : 1024,
          threshold.hasMaxRequests() ? clamp(threshold.getMaxRequests().getValue()) : 1024,
          threshold.hasMaxRetries() ? clamp(threshold.getMaxRetries().getValue()) : 3);
    }
    return result;
  }

  private static int clamp(int unsigned) {
    return unsigned < 0 ? Integer.MAX_VALUE : unsigned;
  }

  private static OutlierSpec outlier(Cluster cluster, Problems problems) {
    var od = cluster.getOutlierDetection();
    Protos.allowOnly(od, "outlier_detection", problems, Set.of("consecutive_5xx", "consecutive_gateway_failure",
        "interval", "base_ejection_time", "max_ejection_percent", "enforcing_consecutive_5xx",
        "enforcing_consecutive_gateway_failure", "enforcing_success_rate", "max_ejection_time",
        "split_external_local_origin_errors", "enforcing_consecutive_local_origin_failure",
        "enforcing_local_origin_success_rate"));
    if (od.hasEnforcingSuccessRate() && od.getEnforcingSuccessRate().getValue() != 0) {
      problems.unsupported("outlier_detection.enforcing_success_rate", "success-rate ejection (expected: 0)");
    }
    if (od.getSplitExternalLocalOriginErrors()) {
      problems.unsupported("outlier_detection.split_external_local_origin_errors", "true (expected: false)");
    }
    Duration interval = od.hasInterval() ? Protos.duration(true, od.getInterval()) : Duration.ofSeconds(10);
    Duration base = od.hasBaseEjectionTime() ? Protos.duration(true, od.getBaseEjectionTime())
        : Duration.ofSeconds(30);
    Duration max = od.hasMaxEjectionTime() ? Protos.duration(true, od.getMaxEjectionTime())
        : Duration.ofSeconds(300);
    if (interval.isZero() || interval.isNegative()) {
      problems.error("outlier_detection.interval", interval + " (expected: a positive duration)");
    }
    int maxPercent = od.hasMaxEjectionPercent() ? od.getMaxEjectionPercent().getValue() : 10;
    if (maxPercent > 100) {
      problems.error("outlier_detection.max_ejection_percent", maxPercent + " (expected: 0 to 100)");
    }
    return new OutlierSpec(
        od.hasConsecutive5Xx() ? od.getConsecutive5Xx().getValue() : 5,
        od.hasConsecutiveGatewayFailure() ? od.getConsecutiveGatewayFailure().getValue() : 5,
        od.hasEnforcingConsecutive5Xx() ? od.getEnforcingConsecutive5Xx().getValue() : 100,
        od.hasEnforcingConsecutiveGatewayFailure() ? od.getEnforcingConsecutiveGatewayFailure().getValue() : 0,
        interval, base, max, maxPercent);
  }

  private static UpstreamTlsSpec transport(TransportSocket socket, String owner, String path, Problems problems,
                                           List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(socket, path, problems, Set.of("name", "typed_config"));
    String type = Protos.typeName(socket.getTypedConfig());
    if (type.equals(TlsCompiler.RAW_BUFFER) || (socket.getTypedConfig().getTypeUrl().isEmpty()
        && socket.getName().equals("envoy.transport_sockets.raw_buffer"))) {
      return null;
    }
    if (!type.equals(TlsCompiler.UPSTREAM_TLS_SOCKET)) {
      problems.unsupported(path + ".typed_config", "transport socket " + type + " (expected: "
          + TlsCompiler.UPSTREAM_TLS_SOCKET + " or " + TlsCompiler.RAW_BUFFER + ")");
      return null;
    }
    UpstreamTlsContext context = Protos.unpack(socket.getTypedConfig(), UpstreamTlsContext.class,
        path + ".typed_config", problems);
    return context == null ? null
        : TlsCompiler.upstream(context, owner, path + ".typed_config", problems, inlineSecrets);
  }

  /** A Struct of string values (transport-socket-match criteria and metadata). */
  static Map<String, String> flatStrings(Struct struct, String path, Problems problems) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, Value> entry : struct.getFieldsMap().entrySet()) {
      if (entry.getValue().getKindCase() == Value.KindCase.STRING_VALUE) {
        values.put(entry.getKey(), entry.getValue().getStringValue());
      } else if (problems != null) {
        problems.error(path + "." + entry.getKey(), entry.getValue().getKindCase() + " (expected: a string)");
      }
    }
    return Map.copyOf(values);
  }
}
