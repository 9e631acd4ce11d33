package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.XdsResources;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pure function from a complete set of xDS resources to a {@link GatewayConfig}: every resource checked against
 * docs/xds-profile.md for {@code ROLE=eastwest}, every problem reported with resource, field and reason. No I/O, no
 * clock, no shared state: the same input always gives the same result, so it can run on any thread.
 */
public final class ConfigTranslator {

  /** The outcome: a config when {@code errors} is empty, else {@code null} and why. */
  public record Translation(GatewayConfig config, List<ConfigError> errors) {
    public Translation {
      errors = List.copyOf(errors);
    }
  }

  private ConfigTranslator() {
  }

  public static Translation translate(XdsResources resources) {
    Problems problems = new Problems();
    var secrets = SecretTranslator.translate(resources.secrets(), problems);
    var routes = RouteTranslator.translate(resources.routes(), problems);
    Map<String, ClusterLoadAssignment> assignments = new HashMap<>();
    for (ClusterLoadAssignment assignment : resources.endpoints()) {
      Scope scope = problems.in(ResourceType.ENDPOINT, assignment.getClusterName());
      if (assignment.getClusterName().isEmpty()) {
        scope.field("cluster_name").error("empty (expected: the EDS service name of a cluster)");
      } else if (assignments.putIfAbsent(assignment.getClusterName(), assignment) != null) {
        scope.error("listed twice (expected: one load assignment per cluster)");
      }
    }
    TlsContextTranslator tls = new TlsContextTranslator(secrets);

    Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
    ClusterTranslator clusterTranslator = new ClusterTranslator(tls, assignments, problems);
    for (Cluster cluster : resources.clusters()) {
      Scope scope = problems.in(ResourceType.CLUSTER, cluster.getName());
      if (cluster.getName().isEmpty()) {
        scope.field("name").error("empty (expected: outbound|<port>|<subset>|<fqdn> or an SNI name)");
        continue;
      }
      if (clusters.containsKey(cluster.getName())) {
        scope.error("listed twice (expected: unique names)");
        continue;
      }
      ClusterConfig translated = clusterTranslator.translate(cluster);
      if (translated != null) {
        clusters.put(cluster.getName(), translated);
      }
    }

    Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
    Map<InetSocketAddress, String> addresses = new HashMap<>();
    ListenerTranslator listenerTranslator = new ListenerTranslator(tls, routes, problems);
    for (Listener listener : resources.listeners()) {
      Scope scope = problems.in(ResourceType.LISTENER, listener.getName());
      if (listener.getName().isEmpty()) {
        scope.field("name").error("empty (expected: 0.0.0.0_<port>)");
        continue;
      }
      if (listeners.containsKey(listener.getName())) {
        scope.error("listed twice (expected: unique names)");
        continue;
      }
      ListenerConfig translated = listenerTranslator.translate(listener);
      if (translated == null) {
        continue;
      }
      String other = addresses.putIfAbsent(translated.address(), translated.name());
      if (other != null) {
        scope.field("address").error(translated.address() + " is also listener " + other
            + "'s (expected: one listener per address)");
        continue;
      }
      listeners.put(listener.getName(), translated);
    }

    if (problems.count() > 0) {
      return new Translation(null, problems.errors());
    }
    return new Translation(new GatewayConfig(resources.version(), listeners, clusters, warming(listeners, clusters)),
        List.of());
  }

  private static List<String> warming(Map<String, ListenerConfig> listeners, Map<String, ClusterConfig> clusters) {
    List<String> warming = new ArrayList<>();
    for (ListenerConfig listener : listeners.values()) {
      for (FilterChainConfig chain : listener.chains()) {
        if (!chain.ready()) {
          warming.add("listener " + listener.name() + " " + chain.displayName() + " waits for " + chain.missing());
        }
      }
    }
    for (ClusterConfig cluster : clusters.values()) {
      if (!cluster.missing().isEmpty()) {
        warming.add("cluster " + cluster.name() + " waits for " + cluster.missing());
      }
    }
    return warming;
  }
}
