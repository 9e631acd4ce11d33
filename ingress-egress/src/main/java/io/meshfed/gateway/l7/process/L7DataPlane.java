package io.meshfed.gateway.l7.process;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshfed.control.client.gateway.ApplyOutcome;
import io.meshfed.control.client.gateway.DataPlane;
import io.meshfed.control.client.gateway.ResourceSet;
import io.meshfed.control.client.runtime.Drainable;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.ApplyResult;
import io.meshfed.gateway.l7.config.ConfigError;
import io.meshfed.gateway.l7.config.XdsResources;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The L7 engine as a {@link DataPlane}. The engine refuses resource by resource: a refused one keeps its previous
 * version (or stays absent) while the rest of the update serves, as Envoy does for LDS and CDS; the outcome names the
 * refused resources so the process holds the same state the engine serves.
 */
final class L7DataPlane implements DataPlane, Drainable {

  private final L7Engine engine;
  private Future<Void> closed;

  L7DataPlane(L7Engine engine) {
    this.engine = engine;
  }

  @Override
  public Future<ApplyOutcome> apply(ResourceSet set) {
    XdsResources resources = new XdsResources(typed(set, XdsResourceType.LISTENER, Listener.class),
        typed(set, XdsResourceType.ROUTE, RouteConfiguration.class), typed(set, XdsResourceType.CLUSTER, Cluster.class),
        typed(set, XdsResourceType.ENDPOINT, ClusterLoadAssignment.class),
        typed(set, XdsResourceType.SECRET, Secret.class));
    return engine.apply(resources).map(L7DataPlane::outcome);
  }

  private static ApplyOutcome outcome(ApplyResult result) {
    if (result.accepted()) {
      return ApplyOutcome.accepted();
    }
    Map<XdsResourceType, Set<String>> refused = new EnumMap<>(XdsResourceType.class);
    for (ConfigError error : result.errors()) {
      XdsResourceType type = XdsResourceType.fromTypeUrl(error.kind().typeUrl()).orElseThrow();
      refused.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(error.resource());
    }
    String message = result.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    return ApplyOutcome.partlyRejected(message, refused);
  }

  private static <T> Map<String, T> typed(ResourceSet set, XdsResourceType type, Class<T> messageClass) {
    Map<String, T> out = new LinkedHashMap<>();
    set.of(type).forEach((name, message) -> out.put(name, messageClass.cast(message)));
    return out;
  }

  L7Engine engine() {
    return engine;
  }

  @Override
  public Drainable drainable() {
    return this;
  }

  @Override
  public synchronized Future<Void> close() {
    // The runtime's drain deadline and the process's close may both ask; the engine closes once.
    if (closed == null) {
      closed = engine.close();
    }
    return closed;
  }

  @Override
  public String name() {
    return engine.role().metadataValue() + " listeners";
  }

  @Override
  public Future<Void> stopAccepting() {
    // Readiness already fails (the runtime's drain); GOAWAY / Connection: close now, then stop accepting.
    return engine.drain(Duration.ZERO);
  }

  @Override
  public int inFlight() {
    return engine.openConnections();
  }

  @Override
  public Future<Void> closeRemaining() {
    return close();
  }
}
