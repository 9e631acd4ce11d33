package io.meshfed.gateway.l7.config;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshfed.gateway.l7.cluster.EndpointSet;
import io.meshfed.gateway.l7.cluster.EndpointSpec;
import io.meshfed.gateway.l7.cluster.Locality;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Compiles a {@code ClusterLoadAssignment} (profile: "Endpoints (EDS), all roles"). */
final class EndpointCompiler {

  private EndpointCompiler() {
  }

  static EndpointSet compile(ClusterLoadAssignment assignment, String path, Problems problems,
                             boolean hostnamesAllowed) {
    Protos.allowOnly(assignment, path, problems, Set.of("cluster_name", "endpoints", "policy"));
    double overprovisioning = 1.4;
    if (assignment.hasPolicy()) {
      var policy = assignment.getPolicy();
      Protos.allowOnly(policy, Protos.join(path, "policy"), problems, Set.of("overprovisioning_factor"));
      if (policy.hasOverprovisioningFactor()) {
        overprovisioning = policy.getOverprovisioningFactor().getValue() / 100.0;
      }
    }
    TreeMap<Integer, List<EndpointSet.LocalityGroup>> byPriority = new TreeMap<>();
    for (int i = 0; i < assignment.getEndpointsCount(); i++) {
      LocalityLbEndpoints group = assignment.getEndpoints(i);
      String at = Protos.join(path, "endpoints[" + i + "]");
      Protos.allowOnly(group, at, problems, Set.of("locality", "lb_endpoints", "load_balancing_weight",
          "priority"));
      Locality locality = group.hasLocality()
          ? new Locality(group.getLocality().getRegion(), group.getLocality().getZone(),
              group.getLocality().getSubZone())
          : Locality.NONE;
      List<EndpointSpec> endpoints = new ArrayList<>();
      for (int j = 0; j < group.getLbEndpointsCount(); j++) {
        EndpointSpec endpoint = endpoint(group.getLbEndpoints(j), at + ".lb_endpoints[" + j + "]", problems,
            hostnamesAllowed);
        if (endpoint != null) {
          endpoints.add(endpoint);
        }
      }
      int weight = group.hasLoadBalancingWeight() ? group.getLoadBalancingWeight().getValue() : 0;
      byPriority.computeIfAbsent(group.getPriority(), p -> new ArrayList<>())
          .add(new EndpointSet.LocalityGroup(locality, weight, List.copyOf(endpoints)));
    }
    List<EndpointSet.Priority> priorities = new ArrayList<>();
    int expected = 0;
    for (Map.Entry<Integer, List<EndpointSet.LocalityGroup>> entry : byPriority.entrySet()) {
      if (entry.getKey() != expected) {
        // Envoy requires priorities to be contiguous from 0.
        problems.error(Protos.join(path, "endpoints"), "priority " + entry.getKey() + " without priority "
            + expected + " (expected: contiguous priorities from 0)");
      }
      expected = entry.getKey() + 1;
      priorities.add(new EndpointSet.Priority(entry.getKey(), List.copyOf(entry.getValue())));
    }
    return new EndpointSet(assignment.getClusterName(), List.copyOf(priorities), overprovisioning);
  }

  private static EndpointSpec endpoint(LbEndpoint lb, String path, Problems problems, boolean hostnamesAllowed) {
    Protos.allowOnly(lb, path, problems, Set.of("endpoint", "health_status", "metadata", "load_balancing_weight"));
    Protos.allowOnly(lb.getEndpoint(), path + ".endpoint", problems, Set.of("address", "hostname"));
    var address = lb.getEndpoint().getAddress();
    if (!address.hasSocketAddress()) {
      problems.unsupported(path + ".endpoint.address", "address kind " + address.getAddressCase()
          + " (expected: socket_address)");
      return null;
    }
    SocketAddress socket = address.getSocketAddress();
    Protos.allowOnly(socket, path + ".endpoint.address.socket_address", problems, Set.of("address", "port_value",
        "protocol"));
    String host = socket.getAddress();
    if (host.isEmpty()) {
      problems.error(path + ".endpoint.address.socket_address.address", "empty (expected: an IP address)");
      return null;
    }
    if (!hostnamesAllowed && !isIpLiteral(host)) {
      problems.error(path + ".endpoint.address.socket_address.address", host
          + " (expected: an IP address; host names need a STRICT_DNS or LOGICAL_DNS cluster)");
      return null;
    }
    if (socket.getPortValue() <= 0 || socket.getPortValue() > 65535) {
      problems.error(path + ".endpoint.address.socket_address.port_value", socket.getPortValue()
          + " (expected: 1 to 65535)");
      return null;
    }
    EndpointSpec.Health health = switch (lb.getHealthStatus()) {
      case UNKNOWN, HEALTHY -> EndpointSpec.Health.HEALTHY;
      case DRAINING -> EndpointSpec.Health.DRAINING;
      case DEGRADED -> EndpointSpec.Health.DEGRADED;
      default -> EndpointSpec.Health.UNHEALTHY;
    };
    int weight = lb.hasLoadBalancingWeight() ? lb.getLoadBalancingWeight().getValue() : 1;
    if (weight < 1) {
      problems.error(path + ".load_balancing_weight", weight + " (expected: at least 1)");
      weight = 1;
    }
    Map<String, Struct> metadata = lb.getMetadata().getFilterMetadataMap();
    Map<String, String> transport = metadata.containsKey("envoy.transport_socket_match")
        ? ClusterCompiler.flatStrings(metadata.get("envoy.transport_socket_match"),
            path + ".metadata.filter_metadata.envoy.transport_socket_match", problems)
        : Map.of();
    Map<String, String> istio = metadata.containsKey("istio")
        ? ClusterCompiler.flatStrings(metadata.get("istio"), path + ".metadata.filter_metadata.istio", null)
        : Map.of();
    return new EndpointSpec(host, socket.getPortValue(), health, weight, transport,
        istio.getOrDefault("cluster", ""), istio.getOrDefault("workload", ""));
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }
}
