package io.meshfed.it.bench.translate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.xds.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * A minimal delta ADS gateway for the push benchmark, on its own HTTP/2 connection as a separate Envoy would be,
 * playing Envoy's part of the protocol and nothing more: CDS wildcard, then EDS for every EDS cluster CDS names,
 * every response ACKed with its nonce. Responses are decoded to their envelope only: the {@code Any} payloads stay
 * bytes (except the clusters of a CDS response, parsed once to find their EDS names) and are dropped once their names
 * are recorded, so 100 of them in one JVM do not each hold a parsed copy of every endpoint.
 *
 * <p>The first CDS and EDS responses are checked against the snapshot of the group this gateway is meant to be in
 * (the same names, none missing): that is how the benchmark knows the server grouped it right. Afterwards it records
 * in the round's {@link Watch} when each EDS name arrived.
 *
 * <p>All stream handling runs on the event loop of the gateway's connection; the benchmark thread only installs a
 * {@link Watch} between rounds (a volatile reference) and reads what it recorded.
 */
final class DeltaGateway {

  private static final ServiceMethod<DeltaDiscoveryResponse, DeltaDiscoveryRequest> DELTA = ServiceMethod.client(
      ServiceName.create("envoy.service.discovery.v3.AggregatedDiscoveryService"), "DeltaAggregatedResources",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(DeltaDiscoveryResponse.newBuilder()));
  private static final String CDS = XdsResourceType.CLUSTER.typeUrl();
  private static final String EDS = XdsResourceType.ENDPOINT.typeUrl();

  private final String name;
  private final Node node;
  private final Supplier<Snapshot> intended;
  private final Queue<String> problems;
  private final Promise<Void> synced = Promise.promise();
  private volatile Watch watch;
  // Set by start, on the benchmark's thread.
  private GrpcClient client;

  // Owned by the connection's event loop.
  private GrpcClientRequest<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call;
  private final Set<String> edsNames = new HashSet<>();
  private boolean cdsChecked;
  private int initialEdsPending = -1;

  /**
   * @param name for messages, e.g. {@code istio-ingressgateway-3}
   * @param intended the snapshot of the group this gateway should be in, read at its first responses
   * @param problems where failures go (shared by all gateways; the benchmark fails when it is not empty)
   */
  DeltaGateway(String name, Node node, Supplier<Snapshot> intended, Queue<String> problems) {
    this.name = name;
    this.node = node;
    this.intended = intended;
    this.problems = problems;
  }

  String name() {
    return name;
  }

  /** How many EDS names this gateway holds (read between rounds, after its sync). */
  int edsNameCount() {
    return edsNames.size();
  }

  /**
   * Opens the stream on its own connection and subscribes to CDS (wildcard); the returned future completes once CDS
   * and EDS are held.
   */
  Future<Void> start(Vertx vertx, SocketAddress server) {
    // Held for the gateway's life: Vert.x closes an HTTP client that became unreachable (its cleaner sends GOAWAY).
    // A full EDS state of 10,000 services is tens of MB: gRPC's usual 4 MiB limit would cut the stream.
    client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(512L << 20),
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    client.request(server, DELTA).onComplete(opened -> {
      if (opened.failed()) {
        fail("stream not opened: " + opened.cause());
        return;
      }
      call = opened.result();
      call.exceptionHandler(e -> fail("stream error: " + e));
      call.connection().exceptionHandler(e -> fail("connection error: " + e));
      call.response().onComplete(response -> {
        if (response.failed()) {
          fail("stream failed: " + response.cause());
          return;
        }
        GrpcClientResponse<DeltaDiscoveryRequest, DeltaDiscoveryResponse> stream = response.result();
        stream.handler(this::onResponse);
        stream.exceptionHandler(e -> fail("stream error: " + e));
        stream.invalidMessageHandler(e -> fail("response not decoded: " + e));
        stream.errorHandler(e -> fail("gRPC error: " + e));
        stream.endHandler(v -> fail("stream ended by the server: " + stream.status() + " " + stream.statusMessage()));
      });
      // An empty subscription on the first request is a wildcard one (xDS protocol, "How the client specifies what
      // resources to return"), as Envoy subscribes to clusters.
      call.write(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
    });
    return synced.future();
  }

  /** Installs where the next EDS responses are recorded (null: between rounds, where any EDS resource is a problem). */
  void watch(Watch next) {
    watch = next;
  }

  Future<Void> close() {
    Future<Void> ended = call == null ? Future.succeededFuture() : call.end();
    return ended.transform(v -> client == null ? Future.succeededFuture() : client.close());
  }

  private void onResponse(DeltaDiscoveryResponse response) {
    long now = System.nanoTime();
    if (CDS.equals(response.getTypeUrl())) {
      onClusters(response);
    } else if (EDS.equals(response.getTypeUrl())) {
      onEndpoints(response, now);
    }
    // ACK, as Envoy does after applying (xDS protocol, "ACK and NACK semantics summary").
    call.write(DeltaDiscoveryRequest.newBuilder().setTypeUrl(response.getTypeUrl())
        .setResponseNonce(response.getNonce()).build());
  }

  private void onClusters(DeltaDiscoveryResponse response) {
    List<String> subscribe = new ArrayList<>();
    Set<String> cdsNames = new HashSet<>();
    for (Resource resource : response.getResourcesList()) {
      cdsNames.add(resource.getName());
      Cluster cluster;
      try {
        cluster = resource.getResource().unpack(Cluster.class);
      } catch (InvalidProtocolBufferException e) {
        fail("CDS resource " + resource.getName() + " is not a Cluster: " + e.getMessage());
        return;
      }
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        String service = cluster.getEdsClusterConfig().getServiceName();
        // The server snapshot's instance of the name: 100 gateways in the control plane's JVM each holding their own
        // copies of tens of thousands of names would make its heap figure mostly theirs.
        String eds = intended.get().sharedName(XdsResourceType.ENDPOINT,
            service.isEmpty() ? cluster.getName() : service);
        if (edsNames.add(eds)) {
          subscribe.add(eds);
        }
      }
    }
    if (!cdsChecked) {
      cdsChecked = true;
      SortedMap<String, ?> expected = intended.get().resources(XdsResourceType.CLUSTER);
      if (!cdsNames.equals(expected.keySet())) {
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(cdsNames);
        Set<String> extra = new HashSet<>(cdsNames);
        extra.removeAll(expected.keySet());
        fail("first CDS response: " + cdsNames.size() + " clusters, the intended group's snapshot has "
            + expected.size() + " (missing e.g. " + first(missing) + ", extra e.g. " + first(extra)
            + "): grouped wrong?");
        return;
      }
      initialEdsPending = subscribe.size();
      if (subscribe.isEmpty()) {
        synced.tryComplete();
      }
    }
    List<String> unsubscribe = new ArrayList<>();
    for (String removed : response.getRemovedResourcesList()) {
      // The cluster's EDS name is its own name unless service_name says otherwise; a renamed one is left subscribed.
      if (edsNames.remove(removed)) {
        unsubscribe.add(removed);
      }
    }
    if (!subscribe.isEmpty() || !unsubscribe.isEmpty()) {
      call.write(DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).addAllResourceNamesSubscribe(subscribe)
          .addAllResourceNamesUnsubscribe(unsubscribe).build());
    }
  }

  private void onEndpoints(DeltaDiscoveryResponse response, long now) {
    if (!response.getRemovedResourcesList().isEmpty()) {
      fail("EDS removed " + response.getRemovedResourcesCount() + " subscribed names, e.g. "
          + response.getRemovedResources(0) + " (absent from the snapshot?)");
    }
    if (initialEdsPending > 0) {
      SortedMap<String, ?> expected = intended.get().resources(XdsResourceType.ENDPOINT);
      for (Resource resource : response.getResourcesList()) {
        if (!expected.containsKey(resource.getName()) || !edsNames.contains(resource.getName())) {
          fail("initial EDS: " + resource.getName() + " not in the intended group's snapshot or not subscribed");
          return;
        }
      }
      initialEdsPending -= response.getResourcesCount();
      if (initialEdsPending <= 0) {
        if (edsNames.size() != expected.size()) {
          fail("subscribed to " + edsNames.size() + " EDS names, the intended group's snapshot has "
              + expected.size() + " load assignments");
          return;
        }
        initialEdsPending = 0;
        synced.tryComplete();
      }
      return;
    }
    if (response.getResourcesCount() == 0) {
      return;
    }
    Watch current = watch;
    if (current == null) {
      fail("EDS response of " + response.getResourcesCount() + " resources (e.g. " + response.getResources(0)
          .getName() + ") outside a round");
      return;
    }
    current.received(response, now);
  }

  private void fail(String message) {
    String line = name + ": " + message;
    if (!synced.tryFail(line)) {
      problems.add(line);
    }
  }

  private static String first(Set<String> names) {
    return names.isEmpty() ? "none" : names.iterator().next();
  }

  /**
   * What one gateway received during one round: the first arrival ({@link System#nanoTime()}) of each EDS name and
   * the names that came more than once. Filled on the gateway's event loop; the benchmark judges it against the
   * names the round's snapshots changed, computed meanwhile, so installing it never races the push. Each response
   * releases {@code signal}, on which the benchmark waits.
   */
  static final class Watch {
    /** {@link #arrivedAll}'s answer while a name is missing ({@code System.nanoTime()} may be negative). */
    static final long NOT_YET = Long.MIN_VALUE;

    private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
    private final Queue<String> repeated = new ConcurrentLinkedQueue<>();
    private final Semaphore signal;

    Watch(Semaphore signal) {
      this.signal = signal;
    }

    /** When the last of {@code names} first arrived, or {@link #NOT_YET} while one is missing (or none is given). */
    long arrivedAll(Set<String> names) {
      long last = NOT_YET;
      for (String name : names) {
        Long at = firstArrival.get(name);
        if (at == null) {
          return NOT_YET;
        }
        last = Math.max(last, at);
      }
      return last;
    }

    /** Every name received this round. */
    Set<String> received() {
      return firstArrival.keySet();
    }

    /** Names received more than once this round. */
    List<String> repeated() {
      return List.copyOf(repeated);
    }

    private void received(DeltaDiscoveryResponse response, long now) {
      for (Resource resource : response.getResourcesList()) {
        if (firstArrival.putIfAbsent(resource.getName(), now) != null) {
          repeated.add(resource.getName());
        }
      }
      signal.release();
    }
  }
}
