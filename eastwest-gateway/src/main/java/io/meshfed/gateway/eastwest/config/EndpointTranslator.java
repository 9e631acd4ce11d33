package io.meshfed.gateway.eastwest.config;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshfed.gateway.eastwest.config.LocalityEndpoints.Locality;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ClusterLoadAssignment}: localities with priority and weight, hosts with address, health, weight and metadata
 * ({@code envoy.transport_socket_match} for TLS selection, {@code istio} for metric labels). Addresses must be IP
 * literals: the gateway never resolves names while applying config.
 */
final class EndpointTranslator {

  /** A host before its cluster chooses its transport socket. */
  record RawHost(InetSocketAddress address, HostConfig.Health health, int weight, Map<String, Value> tlsMatch,
      EndpointMetadata metadata) {
  }

  /** A locality before TLS resolution. */
  record RawLocality(Locality locality, int priority, int weight, List<RawHost> hosts) {
  }

  private EndpointTranslator() {
  }

  static List<RawLocality> translate(ClusterLoadAssignment assignment, Scope scope) {
    scope.allowOnly(assignment, Set.of("cluster_name", "endpoints"));
    List<RawLocality> localities = new ArrayList<>();
    for (int i = 0; i < assignment.getEndpointsCount(); i++) {
      LocalityLbEndpoints group = assignment.getEndpoints(i);
      Scope at = scope.index("endpoints", i);
      at.allowOnly(group, Set.of("locality", "lb_endpoints", "load_balancing_weight", "priority"));
      var locality = group.getLocality();
      at.field("locality").allowOnly(locality, Set.of("region", "zone", "sub_zone"));
      List<RawHost> hosts = new ArrayList<>();
      for (int j = 0; j < group.getLbEndpointsCount(); j++) {
        RawHost host = host(group.getLbEndpoints(j), at.index("lb_endpoints", j));
        if (host != null) {
          hosts.add(host);
        }
      }
      int weight = group.hasLoadBalancingWeight() ? group.getLoadBalancingWeight().getValue() : 1;
      localities.add(new RawLocality(new Locality(locality.getRegion(), locality.getZone(), locality.getSubZone()),
          group.getPriority(), weight, hosts));
    }
    return localities;
  }

  private static RawHost host(LbEndpoint endpoint, Scope scope) {
    scope.allowOnly(endpoint, Set.of("endpoint", "health_status", "load_balancing_weight", "metadata"));
    Scope endpointScope = scope.field("endpoint");
    endpointScope.allowOnly(endpoint.getEndpoint(), Set.of("address"));
    InetSocketAddress address = socketAddress(endpoint.getEndpoint().getAddress(), endpointScope.field("address"));
    if (address == null) {
      return null;
    }
    HostConfig.Health health = switch (endpoint.getHealthStatus()) {
      case UNKNOWN, HEALTHY -> HostConfig.Health.HEALTHY;
      case DEGRADED -> HostConfig.Health.DEGRADED;
      case DRAINING -> HostConfig.Health.DRAINING;
      default -> HostConfig.Health.UNHEALTHY;
    };
    if (endpoint.getHealthStatus() == HealthStatus.UNRECOGNIZED) {
      scope.field("health_status").error("unrecognized (expected: HEALTHY, UNHEALTHY, DRAINING, DEGRADED)");
    }
    int weight = endpoint.hasLoadBalancingWeight() ? endpoint.getLoadBalancingWeight().getValue() : 1;
    if (endpoint.hasLoadBalancingWeight() && weight < 1) {
      scope.field("load_balancing_weight").error(weight + " (expected: >= 1)");
      return null;
    }
    Map<String, Struct> metadata = endpoint.getMetadata().getFilterMetadataMap();
    Map<String, Value> tlsMatch = metadata.containsKey("envoy.transport_socket_match")
        ? metadata.get("envoy.transport_socket_match").getFieldsMap() : Map.of();
    EndpointMetadata istio = EndpointMetadata.NONE;
    Struct istioFields = metadata.get("istio");
    if (istioFields != null) {
      istio = EndpointMetadata.parse(string(istioFields, "workload"), string(istioFields, "cluster"),
          string(istioFields, "network"));
    }
    return new RawHost(address, health, weight, tlsMatch, istio);
  }

  private static String string(Struct struct, String key) {
    Value value = struct.getFieldsMap().get(key);
    return value == null ? "" : value.getStringValue();
  }

  /** A {@code socket_address} with an IP literal and a port; {@code null} after reporting otherwise. */
  static InetSocketAddress socketAddress(Address address, Scope scope) {
    if (!address.hasSocketAddress()) {
      scope.error("no socket_address (expected: socket_address {address, port_value})");
      return null;
    }
    SocketAddress socket = address.getSocketAddress();
    Scope at = scope.field("socket_address");
    at.allowOnly(socket, Set.of("address", "port_value", "protocol"));
    if (socket.getProtocol() != SocketAddress.Protocol.TCP) {
      at.field("protocol").error(socket.getProtocol() + " (expected: TCP)");
      return null;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(socket.getAddress());
    if (ip == null) {
      at.field("address").error(socket.getAddress() + " (expected: an IP literal; names are not resolved)");
      return null;
    }
    int port = socket.getPortValue();
    if (port < 0 || port > 65535) {
      at.field("port_value").error(port + " (expected: 0..65535)");
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      at.field("address").error(socket.getAddress() + " (" + e.getMessage() + ")");
      return null;
    }
  }
}
