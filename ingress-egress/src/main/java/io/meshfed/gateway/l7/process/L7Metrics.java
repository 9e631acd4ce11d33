package io.meshfed.gateway.l7.process;

import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.control.client.metrics.ConnectionMetric;
import io.meshfed.control.client.metrics.DestinationService;
import io.meshfed.control.client.metrics.IstioMetrics;
import io.meshfed.control.client.metrics.RequestMetric;
import io.meshfed.control.client.metrics.RequestProtocol;
import io.meshfed.control.client.metrics.Reporter;
import io.meshfed.control.client.metrics.SecurityPolicy;
import io.meshfed.control.client.metrics.TrafficLabels;
import io.meshfed.control.client.metrics.Workload;
import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.cluster.EndpointSet;
import io.meshfed.gateway.l7.cluster.EndpointSpec;
import io.meshfed.gateway.l7.config.EngineSnapshot;
import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The engine's outcomes as Istio's standard metrics (istio.io, "Istio Standard Metrics"). The gateway reports as
 * {@code reporter="source"} (Istio: "source if the report is from a client proxy or a gateway"), its own workload as
 * {@code source_*}; the destination is the routed cluster's service and, when the upstream endpoint carries Istio's
 * {@code filter_metadata.istio} ({@code workload}, {@code cluster}), that workload and cluster. A source reporter
 * cannot tell the upstream's policy, so {@code connection_security_policy} is {@code unknown}, as Istio reports it.
 *
 * <p>Hot path: called on event loops. {@link TrafficLabels} are built once per (cluster, upstream host) and serving
 * snapshot and reused for every request after; flag texts are parsed once each. A new snapshot (an xDS update) starts
 * a new cache, so labels follow endpoint changes and hosts that left do not pile up.
 */
final class L7Metrics implements OutcomeSink {

  private final IstioMetrics metrics;
  private final Supplier<EngineSnapshot> snapshot;
  private final TrafficLabels unrouted;
  private final ConcurrentMap<String, ResponseFlags> flagTexts = new ConcurrentHashMap<>();
  private volatile Destinations destinations;

  /**
   * @param metrics where to record
   * @param gateway this gateway as the {@code source_*} labels
   * @param snapshot the engine's serving snapshot, read to find the upstream endpoint's Istio metadata
   */
  L7Metrics(IstioMetrics metrics, Workload gateway, Supplier<EngineSnapshot> snapshot) {
    this.metrics = metrics;
    this.snapshot = snapshot;
    this.unrouted = TrafficLabels.builder().reporter(Reporter.SOURCE).source(gateway)
        .securityPolicy(SecurityPolicy.UNKNOWN).build();
    this.destinations = new Destinations(-1, unrouted);
  }

  @Override
  public void request(RequestOutcome outcome) {
    TrafficLabels labels = labels(outcome.upstreamCluster(), outcome.upstreamHost());
    int grpc = grpcStatus(outcome.grpcStatus());
    metrics.recordRequest(new RequestMetric(labels, grpc < 0 ? RequestProtocol.HTTP : RequestProtocol.GRPC,
        outcome.responseCode(), grpc, flags(outcome.responseFlags()), outcome.durationNanos() / 1_000_000.0,
        outcome.bytesReceived(), outcome.bytesSent()));
  }

  /**
   * A proxied TCP connection, counted when it ends: the engine reports TCP connections once, at close, so the opened
   * and closed counts move together (a connection still open is not counted yet).
   */
  @Override
  public void connection(TcpOutcome outcome) {
    TrafficLabels labels = labels(outcome.upstreamCluster(), outcome.upstreamHost());
    metrics.recordConnectionOpened(labels);
    metrics.recordConnectionClosed(new ConnectionMetric(labels, flags(outcome.responseFlags()), outcome.bytesSent(),
        outcome.bytesReceived()));
  }

  /** The labels of requests to {@code host} of {@code cluster}: one instance per serving snapshot. */
  TrafficLabels labels(String cluster, String host) {
    if (cluster == null || cluster.isEmpty()) {
      return unrouted;
    }
    EngineSnapshot serving = snapshot.get();
    Destinations current = destinations;
    if (current.version != serving.version()) {
      // A race builds two caches for one version; one wins, the other is garbage. Both hold equal labels.
      current = new Destinations(serving.version(), unrouted);
      destinations = current;
    }
    return current.labels(serving, cluster, host == null ? "" : host);
  }

  private ResponseFlags flags(String text) {
    if (text == null || text.equals("-") || text.isEmpty()) {
      return ResponseFlags.NONE;
    }
    ResponseFlags known = flagTexts.get(text);
    if (known == null) {
      // Few distinct texts exist (flag combinations); the map stays tiny.
      known = flagTexts.computeIfAbsent(text, ResponseFlags::parseKnown);
    }
    return known;
  }

  /** The gRPC status of a gRPC response (0..16), -1 for none or for a value outside gRPC's codes. */
  static int grpcStatus(String text) {
    if (text == null || text.isEmpty() || text.length() > 2) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= 16 ? value : -1;
  }

  /** The labels of one serving snapshot, per cluster and upstream host. */
  private static final class Destinations {
    final long version;
    final TrafficLabels base;
    final ConcurrentMap<String, ConcurrentMap<String, TrafficLabels>> byCluster = new ConcurrentHashMap<>();

    Destinations(long version, TrafficLabels base) {
      this.version = version;
      this.base = base;
    }

    TrafficLabels labels(EngineSnapshot serving, String cluster, String host) {
      ConcurrentMap<String, TrafficLabels> hosts = byCluster.get(cluster);
      if (hosts == null) {
        hosts = byCluster.computeIfAbsent(cluster, name -> new ConcurrentHashMap<>());
      }
      TrafficLabels labels = hosts.get(host);
      if (labels == null) {
        labels = hosts.computeIfAbsent(host, address -> build(serving, cluster, address));
      }
      return labels;
    }

    private TrafficLabels build(EngineSnapshot serving, String cluster, String host) {
      EndpointSpec endpoint = endpoint(serving, cluster, host);
      return base.toBuilder().destinationService(DestinationService.ofCluster(cluster))
          .destination(endpoint == null ? Workload.UNKNOWN : destination(endpoint)).build();
    }

    private static EndpointSpec endpoint(EngineSnapshot serving, String cluster, String host) {
      ClusterSpec spec = serving.clusters().get(cluster);
      if (spec == null || host.isEmpty()) {
        return null;
      }
      EndpointSet endpoints = serving.endpointsOf(spec);
      for (EndpointSet.Priority priority : endpoints.priorities()) {
        for (EndpointSet.LocalityGroup group : priority.localities()) {
          for (EndpointSpec endpoint : group.endpoints()) {
            if (endpoint.hostPort().equals(host)) {
              return endpoint;
            }
          }
        }
      }
      return null;
    }

    /** The endpoint's workload per its Istio metadata (docs/xds-profile.md, "Endpoints"). */
    private static Workload destination(EndpointSpec endpoint) {
      Workload workload = Workload.UNKNOWN;
      if (!endpoint.istioWorkload().isEmpty()) {
        try {
          workload = Workload.fromIstioMetadata(endpoint.istioWorkload(), null);
        } catch (IllegalArgumentException malformed) {
          // Not the five-part form: label what the cluster metadata says, the rest stays unknown.
        }
      }
      if (!endpoint.istioCluster().isEmpty()) {
        workload = Workload.builder().name(workload.name()).namespace(workload.namespace()).app(workload.app())
            .version(workload.version()).cluster(endpoint.istioCluster()).build();
      }
      return workload;
    }
  }
}
