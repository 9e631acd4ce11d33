package io.meshfed.control.client.metrics;

import io.meshfed.control.client.flags.ResponseFlags;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Records Istio's standard metrics for one gateway: {@code istio_requests_total},
 * {@code istio_request_duration_milliseconds}, {@code istio_request_bytes}, {@code istio_response_bytes} per request,
 * and {@code istio_tcp_connections_opened_total}, {@code istio_tcp_connections_closed_total},
 * {@code istio_tcp_sent_bytes_total}, {@code istio_tcp_received_bytes_total} per connection, with Istio's labels and
 * histogram buckets.
 *
 * <p>Thread-safe and cheap on the hot path: meters are cached per {@link TrafficLabels} and, within it, per
 * (protocol, status, gRPC status, flags); once a combination has been seen, recording allocates nothing.
 */
public final class IstioMetrics {

  public static final String REQUESTS_TOTAL = "istio_requests_total";
  public static final String REQUEST_DURATION = "istio_request_duration_milliseconds";
  public static final String REQUEST_BYTES = "istio_request_bytes";
  public static final String RESPONSE_BYTES = "istio_response_bytes";
  public static final String TCP_SENT_BYTES = "istio_tcp_sent_bytes_total";
  public static final String TCP_RECEIVED_BYTES = "istio_tcp_received_bytes_total";
  public static final String TCP_CONNECTIONS_OPENED = "istio_tcp_connections_opened_total";
  public static final String TCP_CONNECTIONS_CLOSED = "istio_tcp_connections_closed_total";

  /**
   * The histogram bucket bounds of Istio's distributions: Envoy's default histogram buckets, which Istio's stats
   * extension uses for durations (milliseconds) and sizes (bytes) alike.
   */
  public static final List<Double> BUCKETS = List.of(0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0,
      2500.0, 5000.0, 10000.0, 30000.0, 60000.0, 300000.0, 600000.0, 1800000.0, 3600000.0);

  private static final double[] BUCKET_ARRAY = BUCKETS.stream().mapToDouble(Double::doubleValue).toArray();

  private final MeterRegistry registry;
  private final ConcurrentMap<TrafficLabels, MeterSlots<RequestMetric, HttpMeters>> http = new ConcurrentHashMap<>();
  private final ConcurrentMap<TrafficLabels, MeterSlots<ResponseFlags, TcpMeters>> tcp = new ConcurrentHashMap<>();

  public IstioMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Records one finished request in the four request metrics. */
  public void recordRequest(RequestMetric request) {
    MeterSlots<RequestMetric, HttpMeters> slots = http.get(request.labels());
    if (slots == null) {
      slots = http.computeIfAbsent(request.labels(), labels -> new MeterSlots<>(this::createHttp));
    }
    HttpMeters meters = slots.get(httpKey(request), request);
    meters.requests.increment();
    meters.duration.record(request.durationMillis());
    meters.requestBytes.record(request.requestBytes());
    meters.responseBytes.record(request.responseBytes());
  }

  /** Counts a connection accepted (downstream) and about to be proxied; its flags are not known yet. */
  public void recordConnectionOpened(TrafficLabels labels) {
    tcpMeters(labels, ResponseFlags.NONE).opened.increment();
  }

  /** Adds the bytes a connection moved since its last report. */
  public void recordConnectionBytes(ConnectionMetric delta) {
    TcpMeters meters = tcpMeters(delta.labels(), delta.flags());
    addBytes(meters, delta);
  }

  /** Counts a closed connection, with its final flags and the bytes since its last report. */
  public void recordConnectionClosed(ConnectionMetric lastDelta) {
    TcpMeters meters = tcpMeters(lastDelta.labels(), lastDelta.flags());
    addBytes(meters, lastDelta);
    meters.closed.increment();
  }

  private static void addBytes(TcpMeters meters, ConnectionMetric delta) {
    if (delta.sentBytes() > 0) {
      meters.sent.increment(delta.sentBytes());
    }
    if (delta.receivedBytes() > 0) {
      meters.received.increment(delta.receivedBytes());
    }
  }

  /** How many distinct meter combinations are cached; for tests of the cache. */
  int cachedCombinations() {
    return http.values().stream().mapToInt(MeterSlots::size).sum()
        + tcp.values().stream().mapToInt(MeterSlots::size).sum();
  }

  private TcpMeters tcpMeters(TrafficLabels labels, ResponseFlags flags) {
    MeterSlots<ResponseFlags, TcpMeters> slots = tcp.get(labels);
    if (slots == null) {
      slots = tcp.computeIfAbsent(labels, key -> new MeterSlots<>(connectionFlags -> createTcp(key, connectionFlags)));
    }
    return slots.get(flags.bits(), flags);
  }

  // protocol: bit 0; gRPC status + 1: bits 1-5; status: bits 6-15; flags: bits 16 and up.
  private static long httpKey(RequestMetric request) {
    return request.protocol().ordinal()
        | ((long) (request.grpcStatus() + 1) << 1)
        | ((long) request.responseCode() << 6)
        | ((long) request.flags().bits() << 16);
  }

  private HttpMeters createHttp(RequestMetric request) {
    Tags tags = IstioLabels.http(request.labels(), request.protocol(), request.responseCode(),
        request.grpcStatus(), request.flags().toString());
    return new HttpMeters(
        Counter.builder(REQUESTS_TOTAL).tags(tags).register(registry),
        histogram(REQUEST_DURATION, tags),
        histogram(REQUEST_BYTES, tags),
        histogram(RESPONSE_BYTES, tags));
  }

  private DistributionSummary histogram(String name, Tags tags) {
    return DistributionSummary.builder(name).tags(tags).serviceLevelObjectives(BUCKET_ARRAY).register(registry);
  }

  private TcpMeters createTcp(TrafficLabels labels, ResponseFlags flags) {
    Tags tags = IstioLabels.tcp(labels, flags.toString());
    return new TcpMeters(
        Counter.builder(TCP_CONNECTIONS_OPENED).tags(tags).register(registry),
        Counter.builder(TCP_CONNECTIONS_CLOSED).tags(tags).register(registry),
        Counter.builder(TCP_SENT_BYTES).tags(tags).register(registry),
        Counter.builder(TCP_RECEIVED_BYTES).tags(tags).register(registry));
  }

  private record HttpMeters(Counter requests, DistributionSummary duration, DistributionSummary requestBytes,
      DistributionSummary responseBytes) {
  }

  private record TcpMeters(Counter opened, Counter closed, Counter sent, Counter received) {
  }
}
