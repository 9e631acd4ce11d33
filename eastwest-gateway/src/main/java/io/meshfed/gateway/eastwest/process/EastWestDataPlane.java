package io.meshfed.gateway.eastwest.process;

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
import io.meshfed.gateway.eastwest.EastWestGateway;
import io.meshfed.gateway.eastwest.XdsResources;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The east-west engine as a {@link DataPlane}: the whole set is applied or refused (the engine validates every
 * resource, then publishes one snapshot), so a NACK leaves the previous snapshot serving.
 */
final class EastWestDataPlane implements DataPlane, Drainable {

  private final Vertx vertx;
  private final EastWestGateway gateway;

  EastWestDataPlane(Vertx vertx, EastWestGateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  @Override
  public Future<ApplyOutcome> apply(ResourceSet set) {
    XdsResources resources = new XdsResources(set.version(), set.list(XdsResourceType.LISTENER, Listener.class),
        set.list(XdsResourceType.ROUTE, RouteConfiguration.class), set.list(XdsResourceType.CLUSTER, Cluster.class),
        set.list(XdsResourceType.ENDPOINT, ClusterLoadAssignment.class),
        set.list(XdsResourceType.SECRET, Secret.class));
    return Future.fromCompletionStage(gateway.apply(resources), vertx.getOrCreateContext())
        .map(result -> result.accepted() ? ApplyOutcome.accepted() : ApplyOutcome.rejected(result.errorDetail()));
  }

  @Override
  public Drainable drainable() {
    return this;
  }

  @Override
  public Future<Void> close() {
    return Future.fromCompletionStage(gateway.shutdown(), vertx.getOrCreateContext());
  }

  @Override
  public String name() {
    return "east-west listeners";
  }

  @Override
  public Future<Void> stopAccepting() {
    return Future.fromCompletionStage(gateway.stopAccepting(), vertx.getOrCreateContext());
  }

  @Override
  public int inFlight() {
    return gateway.stats().activeConnections();
  }

  @Override
  public Future<Void> closeRemaining() {
    // A drain whose deadline is now: what is still open is closed.
    return Future.fromCompletionStage(gateway.drain(Duration.ZERO), vertx.getOrCreateContext()).mapEmpty();
  }
}
