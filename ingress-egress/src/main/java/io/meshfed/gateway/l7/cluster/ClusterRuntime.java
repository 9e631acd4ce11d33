package io.meshfed.gateway.l7.cluster;

import io.meshfed.gateway.l7.tls.SecretSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live state of one cluster: its spec, circuit breakers, outlier detector and the current host view. Created
 * for a cluster spec and replaced (retired) when the spec changes; endpoint, DNS and ejection changes publish a new
 * {@link HostSet} instead.
 *
 * <p>Threading: the host view is a volatile immutable value read by every event loop; everything that builds it
 * (EDS updates, DNS results, ejections) runs on the owner context, the engine's control context.
 */
public final class ClusterRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRuntime.class);

  private final ClusterSpec spec;
  private final Vertx vertx;
  private final Context owner;
  private final CircuitBreakers breakers;
  private final OutlierDetector outlier;
  private volatile HostSet hosts;
  private volatile Map<String, SecretSpec> secrets;
  private volatile boolean retired;
  private EndpointSet endpoints;
  private final Map<String, Host> byKey = new HashMap<>();
  private final Map<String, List<InetAddress>> resolved = new HashMap<>();
  private long sweepTimer = -1;
  private long dnsTimer = -1;

  private ClusterRuntime(ClusterSpec spec, Vertx vertx, Context owner, Map<String, SecretSpec> secrets) {
    this.spec = spec;
    this.vertx = vertx;
    this.owner = owner;
    this.breakers = new CircuitBreakers(spec.breakers());
    this.outlier = spec.outlier() == null ? null : new OutlierDetector(spec.outlier(), this);
    this.secrets = secrets;
  }

  /**
   * Creates the runtime on the owner context; the future completes once the first host view exists (for DNS
   * clusters after the first resolution, or a failed one: the cluster then has no hosts until the next refresh).
   */
  public static Future<ClusterRuntime> create(ClusterSpec spec, EndpointSet endpoints,
                                              Map<String, SecretSpec> secrets, Vertx vertx, Context owner) {
    ClusterRuntime runtime = new ClusterRuntime(spec, vertx, owner, secrets);
    runtime.endpoints = endpoints;
    runtime.hosts = HostSet.build(List.of(), 1.4, spec.panicThresholdPercent(), spec.localityWeighted());
    if (runtime.outlier != null) {
      runtime.sweepTimer = vertx.setPeriodic(spec.outlier().interval().toMillis(), id -> runtime.outlier.sweep());
    }
    if (runtime.isDns()) {
      Future<Void> first = runtime.resolve();
      runtime.dnsTimer = vertx.setPeriodic(spec.dnsRefreshRate().toMillis(), id -> runtime.resolve());
      return first.map(ignored -> runtime);
    }
    runtime.rebuild();
    return Future.succeededFuture(runtime);
  }

  private boolean isDns() {
    return spec.discovery() == ClusterSpec.Discovery.STRICT_DNS
        || spec.discovery() == ClusterSpec.Discovery.LOGICAL_DNS;
  }

  /** The cluster's spec. */
  public ClusterSpec spec() {
    return spec;
  }

  /** The current host view. */
  public HostSet hosts() {
    return hosts;
  }

  /** The circuit breakers. */
  public CircuitBreakers breakers() {
    return breakers;
  }

  /** The outlier detector, null when outlier detection is off. */
  public OutlierDetector outlier() {
    return outlier;
  }

  /** The secrets of the snapshot now serving (for upstream TLS). */
  public Map<String, SecretSpec> secrets() {
    return secrets;
  }

  /** True once replaced by a newer spec; its pools close as their requests end. */
  public boolean retired() {
    return retired;
  }

  void onOwner(Runnable task) {
    owner.runOnContext(ignored -> task.run());
  }

  /** Owner context: takes a new EDS assignment and secrets. */
  public void update(EndpointSet newEndpoints, Map<String, SecretSpec> newSecrets) {
    secrets = newSecrets;
    if (!newEndpoints.equals(endpoints)) {
      endpoints = newEndpoints;
      if (isDns()) {
        resolve();
      } else {
        rebuild();
      }
    }
  }

  /** Owner context: stops timers; pools close when their requests end. */
  public void retire() {
    retired = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (dnsTimer >= 0) {
      vertx.cancelTimer(dnsTimer);
    }
  }

  private Future<Void> resolve() {
    List<String> names = new ArrayList<>();
    for (EndpointSet.Priority priority : endpoints.priorities()) {
      for (EndpointSet.LocalityGroup group : priority.localities()) {
        for (EndpointSpec endpoint : group.endpoints()) {
          names.add(endpoint.address());
        }
      }
    }
    // InetAddress resolution blocks: it runs on a worker thread, the result comes back to the owner context.
    Promise<Void> done = Promise.promise();
    vertx.<Map<String, List<InetAddress>>>executeBlocking(() -> {
      Map<String, List<InetAddress>> results = new LinkedHashMap<>();
      for (String name : names) {
        try {
          List<InetAddress> addresses = List.of(InetAddress.getAllByName(name));
          results.put(name, spec.discovery() == ClusterSpec.Discovery.LOGICAL_DNS
              ? addresses.subList(0, 1) : addresses);
        } catch (UnknownHostException e) {
          LOG.warn("cluster {}: cannot resolve {}: {}", spec.name(), name, e.getMessage());
          results.put(name, List.of());
        }
      }
      return results;
    }, false).onComplete(result -> owner.runOnContext(ignored -> {
      if (result.succeeded() && !retired) {
        resolved.clear();
        resolved.putAll(result.result());
        rebuild();
      }
      done.complete();
    }));
    return done.future();
  }

  /** Owner context: publishes a new host view from the endpoints, DNS results and ejection state. */
  void rebuild() {
    Map<String, Host> seen = new HashMap<>();
    List<List<HostSet.LocalityInput>> groups = new ArrayList<>();
    for (EndpointSet.Priority priority : endpoints.priorities()) {
      List<HostSet.LocalityInput> localities = new ArrayList<>();
      for (EndpointSet.LocalityGroup group : priority.localities()) {
        List<Host> hosts = new ArrayList<>();
        for (EndpointSpec endpoint : group.endpoints()) {
          for (InetAddress address : addresses(endpoint)) {
            InetSocketAddress socket = new InetSocketAddress(address, endpoint.port());
            var tls = spec.tlsFor(endpoint);
            String key = Host.key(socket, tls);
            Host host = byKey.get(key);
            if (host == null || !host.endpoint().equals(endpoint) || host.priority() != priority.priority()) {
              Host fresh = new Host(endpoint, socket, group.locality(), priority.priority(), tls);
              if (host != null) {
                // Keep the outlier history of a host whose metadata changed.
                fresh.ejections = host.ejections;
                fresh.eject(host.ejectedUntilNanos());
              }
              host = fresh;
            }
            if (seen.putIfAbsent(key, host) == null) {
              hosts.add(host);
            }
          }
        }
        localities.add(new HostSet.LocalityInput(group.locality(), group.weight(), hosts));
      }
      groups.add(localities);
    }
    byKey.clear();
    byKey.putAll(seen);
    hosts = HostSet.build(groups, endpoints.overprovisioningFactor(), spec.panicThresholdPercent(),
        spec.localityWeighted());
  }

  private List<InetAddress> addresses(EndpointSpec endpoint) {
    if (isDns()) {
      return resolved.getOrDefault(endpoint.address(), List.of());
    }
    try {
      // An IP literal (checked by the compiler): no lookup happens.
      return List.of(InetAddress.getByName(endpoint.address()));
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  @Override
  public String toString() {
    return "ClusterRuntime[" + spec.name() + ", " + hosts.all().size() + " hosts" + (retired ? ", retired" : "")
        + "]";
  }
}
