package io.meshfed.control.plane.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.Selectors;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.istio.ServiceEntry.WorkloadEntry;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.clusters.ClusterSpec;
import io.meshfed.control.plane.translate.clusters.EffectivePolicy;
import io.meshfed.control.plane.translate.endpoints.LoadAssignments;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.PortSpec;
import io.meshfed.federation.catalog.Locality;
import io.netty.util.NetUtil;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * ServiceEntry hosts as clusters (docs/xds-profile.md, "Clusters"): {@code resolution: STATIC} → a {@code STATIC}
 * cluster of the endpoints' addresses, {@code DNS} → {@code STRICT_DNS} of the endpoints' names (or the host
 * itself when there are none); the load assignment is inline. {@code NONE} forwards to the original destination,
 * which a gateway does not have: reported.
 */
final class ServiceEntryClusters {

  private ServiceEntryClusters() {
  }

  static Optional<ClusterSpec> spec(GroupTranslation gt, MeshService service, String host, PortSpec port,
      Map<String, String> subset, String name, EffectivePolicy policy, ConfigResource owner, String field) {
    ServiceEntry entry = service.serviceEntry().orElseThrow();
    if (gt.outbound == Flavor.PROXYLESS) {
      gt.problems.report(Kind.UNSUPPORTED, entry, "spec.hosts", "ServiceEntry hosts are not offered to proxyless "
          + "gRPC clients (they resolve EDS clusters only)", "reach " + host + " through a gateway");
      return Optional.empty();
    }
    if (entry.resolution() == ServiceEntry.Resolution.NONE) {
      gt.problems.report(Kind.UNSUPPORTED, entry, "spec.resolution", "NONE forwards to the original destination "
          + "address, which a gateway does not have; " + host + " cannot be routed to by " + gt.group.roleName()
          + " gateways", "use resolution DNS (or STATIC with endpoints)");
      return Optional.empty();
    }
    List<WorkloadEntry> endpoints = entry.endpoints().stream().filter(e -> Selectors.matches(subset, e.labels()))
        .toList();
    ClusterLoadAssignment.Builder assignment = ClusterLoadAssignment.newBuilder().setClusterName(name);
    Map<String, LocalityLbEndpoints.Builder> localities = new TreeMap<>();
    boolean internal = entry.location() == ServiceEntry.Location.MESH_INTERNAL;
    if (endpoints.isEmpty() && entry.resolution() == ServiceEntry.Resolution.DNS) {
      if (host.startsWith("*")) {
        gt.problems.report(Kind.UNSUPPORTED, owner, field, "the wildcard host " + host + " cannot be resolved",
            "route to a concrete host the ServiceEntry covers");
        return Optional.empty();
      }
      localities.computeIfAbsent("", l -> LocalityLbEndpoints.newBuilder()).addLbEndpoints(lb(host,
          port.targetPort() > 0 ? port.targetPort() : port.number(), 1, false));
    }
    for (WorkloadEntry e : endpoints) {
      if (entry.resolution() == ServiceEntry.Resolution.STATIC && !NetUtil.isValidIpV4Address(e.address())
          && !NetUtil.isValidIpV6Address(e.address())) {
        continue; // rejected by validation already; be safe
      }
      int target = e.ports().getOrDefault(port.name(), port.targetPort() > 0 ? port.targetPort() : port.number());
      boolean mtls = internal && "istio".equals(e.labels().get(MeshService.TLS_MODE_LABEL));
      String locality = e.locality().orElse("");
      LocalityLbEndpoints.Builder group = localities.computeIfAbsent(locality, l -> {
        LocalityLbEndpoints.Builder b = LocalityLbEndpoints.newBuilder();
        if (!l.isEmpty()) {
          Locality parsed = Locality.of(part(l, 0), part(l, 1), part(l, 2));
          b.setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder().setRegion(parsed.region())
              .setZone(parsed.zone()).setSubZone(parsed.subzone()));
        }
        return b;
      });
      group.addLbEndpoints(lb(e.address(), target, e.weight().orElse(1), mtls));
    }
    localities.values().forEach(l -> assignment.addEndpoints(l.setLoadBalancingWeight(UInt32Value.of(Math.max(1,
        l.getLbEndpointsList().stream().mapToInt(x -> x.getLoadBalancingWeight().getValue()).sum())))));
    ClusterSpec.Transport transport = gt.transport(policy, Flavor.GATEWAY, service);
    return Optional.of(new ClusterSpec(name, entry.resolution() == ServiceEntry.Resolution.STATIC
        ? ClusterSpec.Discovery.STATIC : ClusterSpec.Discovery.STRICT_DNS, Optional.of(assignment.build()),
        port.protocol(), policy, transport, io.meshfed.control.plane.translate.model.Names.sni(port.number(), "", host),
        gt.trustDomains, transport == ClusterSpec.Transport.ORIGINATE ? policy.tls() : Optional.empty(),
        GroupTranslation.originateSni(policy, host), false, true, false));
  }

  private static String part(String locality, int index) {
    String[] parts = locality.split("/");
    return index < parts.length ? parts[index] : "";
  }

  private static LbEndpoint lb(String address, int port, int weight, boolean mtls) {
    LbEndpoint.Builder lb = LbEndpoint.newBuilder()
        .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder().setAddress(Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))))
        .setLoadBalancingWeight(UInt32Value.of(weight));
    if (mtls) {
      lb.setMetadata(Metadata.newBuilder().putFilterMetadata(LoadAssignments.TRANSPORT_SOCKET_MATCH,
          Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue("istio").build()).build()));
    }
    return lb.build();
  }
}
