package io.meshfed.gateway.eastwest;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The complete set of xDS resources a gateway holds at one moment (state of the world for every type), as Envoy v3
 * protos. The ADS client keeps the latest accepted set per type and hands the whole set to
 * {@link EastWestGateway#apply} after each update; {@link #with} replaces one type.
 */
public record XdsResources(String version, List<Listener> listeners, List<RouteConfiguration> routes,
    List<Cluster> clusters, List<ClusterLoadAssignment> endpoints, List<Secret> secrets) {

  public XdsResources {
    Objects.requireNonNull(version, "version");
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
  }

  public static XdsResources empty() {
    return new XdsResources("", List.of(), List.of(), List.of(), List.of(), List.of());
  }

  /**
   * Unpacks {@code Any}-wrapped resources as a DiscoveryResponse or a config dump carries them.
   *
   * @throws IllegalArgumentException naming the resource index and type URL when one is not a type listed in
   *     {@link ResourceType} or does not parse
   */
  public static XdsResources fromAny(String version, Collection<Any> resources) {
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    int index = 0;
    for (Any any : resources) {
      try {
        String type = any.getTypeUrl();
        if (type.equals(ResourceType.LISTENER.typeUrl())) {
          listeners.add(any.unpack(Listener.class));
        } else if (type.equals(ResourceType.ROUTE.typeUrl())) {
          routes.add(any.unpack(RouteConfiguration.class));
        } else if (type.equals(ResourceType.CLUSTER.typeUrl())) {
          clusters.add(any.unpack(Cluster.class));
        } else if (type.equals(ResourceType.ENDPOINT.typeUrl())) {
          endpoints.add(any.unpack(ClusterLoadAssignment.class));
        } else if (type.equals(ResourceType.SECRET.typeUrl())) {
          secrets.add(any.unpack(Secret.class));
        } else {
          throw new IllegalArgumentException("resources[" + index + "]: " + type
              + " (expected one of the type URLs of Listener, RouteConfiguration, Cluster, ClusterLoadAssignment,"
              + " Secret)");
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("resources[" + index + "]: " + any.getTypeUrl() + ": " + e.getMessage(), e);
      }
      index++;
    }
    return new XdsResources(version, listeners, routes, clusters, endpoints, secrets);
  }

  /** A copy with one type's resources replaced (what an ADS client does with a state-of-the-world response). */
  public XdsResources with(String newVersion, ResourceType type, Collection<?> resources) {
    return switch (type) {
      case LISTENER -> new XdsResources(newVersion, cast(resources, Listener.class), routes, clusters, endpoints,
          secrets);
      case ROUTE -> new XdsResources(newVersion, listeners, cast(resources, RouteConfiguration.class), clusters,
          endpoints, secrets);
      case CLUSTER -> new XdsResources(newVersion, listeners, routes, cast(resources, Cluster.class), endpoints,
          secrets);
      case ENDPOINT -> new XdsResources(newVersion, listeners, routes, clusters,
          cast(resources, ClusterLoadAssignment.class), secrets);
      case SECRET -> new XdsResources(newVersion, listeners, routes, clusters, endpoints,
          cast(resources, Secret.class));
    };
  }

  private static <T> List<T> cast(Collection<?> resources, Class<T> type) {
    List<T> typed = new ArrayList<>(resources.size());
    for (Object resource : resources) {
      typed.add(type.cast(resource));
    }
    return typed;
  }

  @Override
  public String toString() {
    return "XdsResources{version=" + version + ", listeners=" + listeners.size() + ", routes=" + routes.size()
        + ", clusters=" + clusters.size() + ", endpoints=" + endpoints.size() + ", secrets=" + secrets.size() + "}";
  }
}
