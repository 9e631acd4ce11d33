package io.meshfed.gateway.eastwest.config;

import com.google.protobuf.Any;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.config.EndpointTranslator.RawHost;
import io.meshfed.gateway.eastwest.config.EndpointTranslator.RawLocality;
import io.meshfed.gateway.eastwest.config.TlsContextTranslator.Resolved;
import io.meshfed.gateway.eastwest.tls.ClientTlsSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CDS (with its EDS): the profile's clusters. {@code EDS} clusters take hosts from the load assignment named by
 * {@code eds_cluster_config.service_name} or the cluster name (none yet: no hosts, so {@code UH}); {@code STATIC}
 * clusters carry them inline. DNS cluster types are refused: the gateway does not resolve names.
 */
final class ClusterTranslator {

  /** The profile's default for DestinationRule {@code connectTimeout}. */
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final TlsContextTranslator tls;
  private final Map<String, ClusterLoadAssignment> assignments;
  private final Problems problems;

  ClusterTranslator(TlsContextTranslator tls, Map<String, ClusterLoadAssignment> assignments, Problems problems) {
    this.tls = tls;
    this.assignments = assignments;
    this.problems = problems;
  }

  /** A transport-socket choice: a match on endpoint metadata and the TLS it selects ({@code null}: plaintext). */
  private record SocketChoice(Map<String, Value> match, ClientTlsSpec tls) {
  }

  ClusterConfig translate(Cluster cluster) {
    Scope scope = problems.in(ResourceType.CLUSTER, cluster.getName());
    int before = scope.problemCount();
    scope.allowOnly(cluster, Set.of("name", "type", "eds_cluster_config", "load_assignment", "connect_timeout",
        "lb_policy", "least_request_lb_config", "circuit_breakers", "typed_extension_protocol_options",
        "outlier_detection", "common_lb_config", "transport_socket_matches", "transport_socket", "metadata",
        "alt_stat_name"));
    List<RawLocality> raw = List.of();
    switch (cluster.getType()) {
      case EDS -> {
        var eds = cluster.getEdsClusterConfig();
        Scope edsScope = scope.field("eds_cluster_config");
        edsScope.allowOnly(eds, Set.of("service_name", "eds_config"));
        if (eds.hasEdsConfig() && !TlsContextTranslator.isAds(eds.getEdsConfig())) {
          edsScope.field("eds_config").error("not ads (expected: {ads: {}})");
        }
        String serviceName = eds.getServiceName().isEmpty() ? cluster.getName() : eds.getServiceName();
        ClusterLoadAssignment assignment = assignments.get(serviceName);
        if (assignment != null) {
          raw = EndpointTranslator.translate(assignment, problems.in(ResourceType.ENDPOINT, serviceName));
        }
      }
      case STATIC -> raw = EndpointTranslator.translate(cluster.getLoadAssignment(), scope.field("load_assignment"));
      default -> scope.field("type").error(cluster.getType() + " (expected: EDS or STATIC; DNS resolution is "
          + Scope.UNSUPPORTED + ")");
    }
    Duration connectTimeout = cluster.hasConnectTimeout() ? Scope.duration(cluster.getConnectTimeout())
        : DEFAULT_CONNECT_TIMEOUT;
    ClusterConfig.LbPolicy lbPolicy = switch (cluster.getLbPolicy()) {
      case ROUND_ROBIN -> ClusterConfig.LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> ClusterConfig.LbPolicy.LEAST_REQUEST;
      case RANDOM -> ClusterConfig.LbPolicy.RANDOM;
      case RING_HASH -> ClusterConfig.LbPolicy.RING_HASH;
      case MAGLEV -> ClusterConfig.LbPolicy.MAGLEV;
      default -> {
        scope.field("lb_policy").error(cluster.getLbPolicy() + " (expected: ROUND_ROBIN, LEAST_REQUEST, RANDOM,"
            + " RING_HASH or MAGLEV)");
        yield ClusterConfig.LbPolicy.ROUND_ROBIN;
      }
    };
    int choiceCount = 2;
    if (cluster.hasLeastRequestLbConfig()) {
      var config = cluster.getLeastRequestLbConfig();
      scope.field("least_request_lb_config").allowOnly(config, Set.of("choice_count"));
      if (config.hasChoiceCount()) {
        choiceCount = config.getChoiceCount().getValue();
        if (choiceCount < 2) {
          scope.field("least_request_lb_config.choice_count").error(choiceCount + " (expected: >= 2)");
        }
      }
    }
    CircuitBreakerConfig breakers = circuitBreakers(cluster, scope.field("circuit_breakers"));
    OutlierConfig outlier = cluster.hasOutlierDetection()
        ? outlier(cluster.getOutlierDetection(), scope.field("outlier_detection")) : null;
    int panic = 50;
    boolean localityWeighted = false;
    if (cluster.hasCommonLbConfig()) {
      var common = cluster.getCommonLbConfig();
      Scope commonScope = scope.field("common_lb_config");
      commonScope.allowOnly(common, Set.of("healthy_panic_threshold", "locality_weighted_lb_config"));
      if (common.hasHealthyPanicThreshold()) {
        double value = common.getHealthyPanicThreshold().getValue();
        if (value < 0 || value > 100) {
          commonScope.field("healthy_panic_threshold").error(value + " (expected: 0..100)");
        }
        panic = (int) Math.round(value);
      }
      localityWeighted = common.hasLocalityWeightedLbConfig();
    }
    ClusterConfig.UpstreamProtocol protocol = protocol(cluster, scope.field("typed_extension_protocol_options"));

    Set<String> missing = new LinkedHashSet<>();
    List<SocketChoice> choices = new ArrayList<>();
    for (int i = 0; i < cluster.getTransportSocketMatchesCount(); i++) {
      var match = cluster.getTransportSocketMatches(i);
      Scope at = scope.index("transport_socket_matches", i);
      at.allowOnly(match, Set.of("name", "match", "transport_socket"));
      Resolved<ClientTlsSpec> socket = transportSocket(match.getTransportSocket(), at.field("transport_socket"));
      if (!socket.missing().isEmpty()) {
        missing.add(socket.missing());
      }
      choices.add(new SocketChoice(match.getMatch().getFieldsMap(), socket.value()));
    }
    ClientTlsSpec defaultTls = null;
    if (cluster.hasTransportSocket()) {
      Resolved<ClientTlsSpec> socket = transportSocket(cluster.getTransportSocket(), scope.field("transport_socket"));
      if (!socket.missing().isEmpty()) {
        missing.add(socket.missing());
      }
      defaultTls = socket.value();
    }
    if (scope.problemCount() != before) {
      return null;
    }
    List<LocalityEndpoints> localities = new ArrayList<>();
    for (RawLocality locality : raw) {
      List<HostConfig> hosts = new ArrayList<>();
      for (RawHost host : locality.hosts()) {
        hosts.add(new HostConfig(host.address(), host.health(), host.weight(), host.metadata(),
            tlsFor(host, choices, defaultTls)));
      }
      localities.add(new LocalityEndpoints(locality.locality(), locality.priority(), locality.weight(), hosts));
    }
    return new ClusterConfig(cluster.getName(), connectTimeout, lbPolicy, choiceCount, breakers, outlier, panic,
        localityWeighted, protocol, localities, String.join(", ", missing));
  }

  /** Envoy: the first match whose every key equals the host's {@code envoy.transport_socket_match} metadata. */
  private static ClientTlsSpec tlsFor(RawHost host, List<SocketChoice> choices, ClientTlsSpec defaultTls) {
    for (SocketChoice choice : choices) {
      boolean matches = true;
      for (Map.Entry<String, Value> entry : choice.match().entrySet()) {
        if (!entry.getValue().equals(host.tlsMatch().get(entry.getKey()))) {
          matches = false;
          break;
        }
      }
      if (matches) {
        return choice.tls();
      }
    }
    return defaultTls;
  }

  private Resolved<ClientTlsSpec> transportSocket(TransportSocket socket, Scope scope) {
    scope.allowOnly(socket, Set.of("name", "typed_config"));
    Any config = socket.getTypedConfig();
    if (config.getTypeUrl().equals(Scope.typeUrl(RawBuffer.class))
        || (!socket.hasTypedConfig() && socket.getName().equals("envoy.transport_sockets.raw_buffer"))) {
      return new Resolved<>(null, "");
    }
    UpstreamTlsContext context = scope.unpack(config, UpstreamTlsContext.class, Scope.typeUrl(UpstreamTlsContext.class),
        socket.getName());
    if (context == null) {
      return Resolved.failed();
    }
    return tls.upstream(context, scope.field("typed_config"));
  }

  private static CircuitBreakerConfig circuitBreakers(Cluster cluster, Scope scope) {
    if (!cluster.hasCircuitBreakers()) {
      return CircuitBreakerConfig.DEFAULT;
    }
    var breakers = cluster.getCircuitBreakers();
    scope.allowOnly(breakers, Set.of("thresholds"));
    if (breakers.getThresholdsCount() == 0) {
      return CircuitBreakerConfig.DEFAULT;
    }
    if (breakers.getThresholdsCount() > 1) {
      scope.field("thresholds").error(breakers.getThresholdsCount() + " entries (expected: one, priority DEFAULT)");
    }
    var threshold = breakers.getThresholds(0);
    Scope at = scope.index("thresholds", 0);
    at.allowOnly(threshold, Set.of("priority", "max_connections", "max_pending_requests", "max_requests",
        "max_retries"));
    CircuitBreakerConfig defaults = CircuitBreakerConfig.DEFAULT;
    return new CircuitBreakerConfig(
        threshold.hasMaxConnections() ? uint32(threshold.getMaxConnections().getValue())
            : defaults.maxConnections(),
        threshold.hasMaxPendingRequests() ? uint32(threshold.getMaxPendingRequests().getValue())
            : defaults.maxPendingRequests(),
        threshold.hasMaxRequests() ? uint32(threshold.getMaxRequests().getValue()) : defaults.maxRequests(),
        threshold.hasMaxRetries() ? uint32(threshold.getMaxRetries().getValue()) : defaults.maxRetries());
  }

  /**
   * A proto {@code uint32} read into an int: values above {@code Integer.MAX_VALUE} arrive negative. Istio sends
   * 4294967295 for "no limit" (its default circuit breakers); they mean at least {@code Integer.MAX_VALUE} here.
   */
  static int uint32(int value) {
    return value < 0 ? Integer.MAX_VALUE : value;
  }

  private static OutlierConfig outlier(OutlierDetection detection, Scope scope) {
    scope.allowOnly(detection, Set.of("consecutive_5xx", "consecutive_gateway_failure", "interval",
        "base_ejection_time", "max_ejection_percent", "enforcing_consecutive_5xx",
        "enforcing_consecutive_gateway_failure", "max_ejection_time", "split_external_local_origin_errors"));
    if (detection.getSplitExternalLocalOriginErrors()) {
      scope.field("split_external_local_origin_errors").error("true (" + Scope.UNSUPPORTED
          + "; connect failures count as 5xx)");
    }
    return new OutlierConfig(
        detection.hasConsecutive5Xx() ? detection.getConsecutive5Xx().getValue() : 5,
        detection.hasEnforcingConsecutive5Xx() ? detection.getEnforcingConsecutive5Xx().getValue() : 100,
        detection.hasConsecutiveGatewayFailure() ? detection.getConsecutiveGatewayFailure().getValue() : 5,
        detection.hasEnforcingConsecutiveGatewayFailure()
            ? detection.getEnforcingConsecutiveGatewayFailure().getValue() : 0,
        detection.hasInterval() ? Scope.duration(detection.getInterval()) : Duration.ofSeconds(10),
        detection.hasBaseEjectionTime() ? Scope.duration(detection.getBaseEjectionTime()) : Duration.ofSeconds(30),
        detection.hasMaxEjectionTime() ? Scope.duration(detection.getMaxEjectionTime()) : Duration.ofSeconds(300),
        detection.hasMaxEjectionPercent() ? detection.getMaxEjectionPercent().getValue() : 10);
  }

  private static ClusterConfig.UpstreamProtocol protocol(Cluster cluster, Scope scope) {
    ClusterConfig.UpstreamProtocol protocol = ClusterConfig.UpstreamProtocol.HTTP1;
    for (Map.Entry<String, Any> entry : cluster.getTypedExtensionProtocolOptionsMap().entrySet()) {
      Scope at = scope.field("[" + entry.getKey() + "]");
      if (!entry.getKey().equals(HTTP_OPTIONS)) {
        at.error(Scope.UNSUPPORTED);
        continue;
      }
      HttpProtocolOptions options = at.unpack(entry.getValue(), HttpProtocolOptions.class,
          Scope.typeUrl(HttpProtocolOptions.class), entry.getKey());
      if (options == null) {
        continue;
      }
      Scope optionsScope = at.field("typed_config");
      optionsScope.allowOnly(options, Set.of("common_http_protocol_options", "explicit_http_config"));
      optionsScope.field("common_http_protocol_options").allowOnly(options.getCommonHttpProtocolOptions(),
          Set.of("idle_timeout", "max_requests_per_connection"));
      if (options.hasExplicitHttpConfig() && options.getExplicitHttpConfig().hasHttp2ProtocolOptions()) {
        protocol = ClusterConfig.UpstreamProtocol.HTTP2;
      }
    }
    return protocol;
  }
}
