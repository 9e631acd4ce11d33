package io.meshfed.control.client.runtime;

import io.envoyproxy.envoy.admin.v3.ClusterStatus;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.HostHealthStatus;
import io.envoyproxy.envoy.admin.v3.HostStatus;
import io.envoyproxy.envoy.admin.v3.ListenerStatus;
import io.envoyproxy.envoy.admin.v3.Listeners;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Envoy's admin {@code /listeners} and {@code /clusters} views of the accepted config: the text format
 * ({@code name::address}, {@code cluster::host::health_flags::healthy}) and, with {@code ?format=json}, the
 * {@code envoy.admin.v3.Listeners} / {@code Clusters} messages.
 */
final class ConfigViews {

  private ConfigViews() {
  }

  static Listeners listeners(AcceptedConfig config) {
    Listeners.Builder listeners = Listeners.newBuilder();
    for (XdsResource resource : config.ofType(XdsResource.LISTENER_TYPE)) {
      Listener listener = ConfigDumps.unpack(resource.resource(), Listener.class);
      listeners.addListenerStatuses(ListenerStatus.newBuilder().setName(resource.name())
          .setLocalAddress(listener.getAddress()));
    }
    return listeners.build();
  }

  static String listenersText(Listeners listeners) {
    StringBuilder text = new StringBuilder();
    for (ListenerStatus status : listeners.getListenerStatusesList()) {
      SocketAddress address = status.getLocalAddress().getSocketAddress();
      text.append(status.getName()).append("::").append(address.getAddress()).append(':')
          .append(address.getPortValue()).append('\n');
    }
    return text.toString();
  }

  static Clusters clusters(AcceptedConfig config, OutlierEjections ejections) {
    Map<String, ClusterLoadAssignment> assignments = new HashMap<>();
    for (XdsResource resource : config.ofType(XdsResource.ENDPOINT_TYPE)) {
      assignments.put(resource.name(), ConfigDumps.unpack(resource.resource(), ClusterLoadAssignment.class));
    }
    Clusters.Builder clusters = Clusters.newBuilder();
    for (XdsResource resource : config.ofType(XdsResource.CLUSTER_TYPE)) {
      Cluster cluster = ConfigDumps.unpack(resource.resource(), Cluster.class);
      ClusterStatus.Builder status = ClusterStatus.newBuilder().setName(cluster.getName())
          .setObservabilityName(cluster.getName()).setAddedViaApi(true);
      if (cluster.hasCircuitBreakers()) {
        status.setCircuitBreakers(cluster.getCircuitBreakers());
      }
      String serviceName = cluster.getEdsClusterConfig().getServiceName();
      if (!serviceName.isEmpty()) {
        status.setEdsServiceName(serviceName);
      }
      ClusterLoadAssignment assignment = cluster.hasLoadAssignment() ? cluster.getLoadAssignment()
          : assignments.get(serviceName.isEmpty() ? cluster.getName() : serviceName);
      if (assignment != null) {
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
          for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
            status.addHostStatuses(host(cluster.getName(), locality, endpoint, ejections));
          }
        }
      }
      clusters.addClusterStatuses(status);
    }
    return clusters.build();
  }

  static String clustersText(Clusters clusters) {
    StringBuilder text = new StringBuilder();
    for (ClusterStatus cluster : clusters.getClusterStatusesList()) {
      String name = cluster.getName();
      line(text, name, "observability_name", cluster.getObservabilityName());
      if (cluster.hasCircuitBreakers()) {
        for (CircuitBreakers.Thresholds thresholds : cluster.getCircuitBreakers().getThresholdsList()) {
          String priority = thresholds.getPriority().name().toLowerCase(Locale.ROOT) + "_priority";
          if (thresholds.hasMaxConnections()) {
            line(text, name, priority + "::max_connections", thresholds.getMaxConnections().getValue());
          }
          if (thresholds.hasMaxPendingRequests()) {
            line(text, name, priority + "::max_pending_requests", thresholds.getMaxPendingRequests().getValue());
          }
          if (thresholds.hasMaxRequests()) {
            line(text, name, priority + "::max_requests", thresholds.getMaxRequests().getValue());
          }
          if (thresholds.hasMaxRetries()) {
            line(text, name, priority + "::max_retries", thresholds.getMaxRetries().getValue());
          }
        }
      }
      line(text, name, "added_via_api", cluster.getAddedViaApi());
      for (HostStatus host : cluster.getHostStatusesList()) {
        SocketAddress address = host.getAddress().getSocketAddress();
        String prefix = name + "::" + address.getAddress() + ":" + address.getPortValue();
        line(text, prefix, "health_flags", healthFlags(host.getHealthStatus()));
        line(text, prefix, "weight", host.getWeight());
        line(text, prefix, "region", host.getLocality().getRegion());
        line(text, prefix, "zone", host.getLocality().getZone());
        line(text, prefix, "sub_zone", host.getLocality().getSubZone());
        line(text, prefix, "priority", host.getPriority());
      }
    }
    return text.toString();
  }

  private static HostStatus host(String cluster, LocalityLbEndpoints locality, LbEndpoint endpoint,
      OutlierEjections ejections) {
    SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
    HealthStatus eds = endpoint.getHealthStatus() == HealthStatus.UNKNOWN ? HealthStatus.HEALTHY
        : endpoint.getHealthStatus();
    boolean ejected = ejections.isEjected(cluster, address.getAddress() + ":" + address.getPortValue());
    return HostStatus.newBuilder()
        .setAddress(endpoint.getEndpoint().getAddress())
        .setHealthStatus(HostHealthStatus.newBuilder().setEdsHealthStatus(eds).setFailedOutlierCheck(ejected))
        .setWeight(endpoint.hasLoadBalancingWeight() ? endpoint.getLoadBalancingWeight().getValue() : 1)
        .setLocality(locality.getLocality())
        .setPriority(locality.getPriority())
        .build();
  }

  /** Envoy's health flags: {@code healthy}, or the reasons a host is not, joined ({@code /failed_eds_health}). */
  static String healthFlags(HostHealthStatus health) {
    StringBuilder flags = new StringBuilder();
    switch (health.getEdsHealthStatus()) {
      case UNHEALTHY, TIMEOUT -> flags.append("/failed_eds_health");
      case DEGRADED -> flags.append("/degraded_eds_health");
      case DRAINING -> flags.append("/eds_status_draining");
      default -> {
      }
    }
    if (health.getFailedOutlierCheck()) {
      flags.append("/failed_outlier_check");
    }
    return flags.isEmpty() ? "healthy" : flags.toString();
  }

  private static void line(StringBuilder text, String prefix, String key, Object value) {
    text.append(prefix).append("::").append(key).append("::").append(value).append('\n');
  }
}
