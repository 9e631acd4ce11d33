package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.ServiceExport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An exported service must declare its ports alike in every cluster that exports it (the Multi-Cluster Services
 * KEP-1645 "constraints and conflict resolution"). A port (identified by name, or by number when unnamed) with a
 * different number, protocol or appProtocol in two clusters is a conflict (MF0114: clients get the oldest
 * export's definition and the other cluster's endpoints answer differently); a port only some clusters expose
 * (MF0115) receives traffic only from those clusters' endpoints.
 */
final class ExportedPortsAnalyzer implements MeshAnalyzer {

  private record Exported(ClusterConfig cluster, Service service, ResourceKey key) {
  }

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.EXPORTED_PORT_CONFLICT, MessageType.EXPORTED_PORTS_DIFFER);
  }

  @Override
  public void analyze(List<ClusterConfig> clusters, Consumer<Message> report) {
    Map<String, List<Exported>> exports = new LinkedHashMap<>();
    for (ClusterConfig cluster : clusters) {
      Map<String, Service> services = new LinkedHashMap<>();
      cluster.snapshot().services()
          .forEach(s -> services.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s));
      for (ServiceExport export : cluster.snapshot().serviceExports()) {
        String name = export.meta().namespace() + "/" + export.meta().name();
        Service service = services.get(name);
        if (service != null) {
          exports.computeIfAbsent(name, n -> new ArrayList<>()).add(new Exported(cluster, service,
              new ResourceKey("Service", export.meta().namespace(), export.meta().name())));
        }
      }
    }
    for (Map.Entry<String, List<Exported>> entry : exports.entrySet()) {
      List<Exported> exported = entry.getValue();
      if (exported.size() < 2) {
        continue;
      }
      Exported reference = exported.get(0);
      Map<String, ServicePort> referencePorts = ports(reference.service());
      Set<String> allPorts = new LinkedHashSet<>();
      exported.forEach(e -> allPorts.addAll(ports(e.service()).keySet()));
      for (Exported other : exported.subList(1, exported.size())) {
        Map<String, ServicePort> otherPorts = ports(other.service());
        for (Map.Entry<String, ServicePort> port : otherPorts.entrySet()) {
          ServicePort mine = referencePorts.get(port.getKey());
          if (mine != null && !sameShape(mine, port.getValue())) {
            report.accept(Message.of(MessageType.EXPORTED_PORT_CONFLICT, other.key(),
                other.cluster().snapshot().origin(other.key()), "spec.ports[" + port.getKey() + "]",
                "exported port " + port.getKey() + " is " + describe(port.getValue()) + " here but "
                    + describe(mine) + " in cluster " + reference.cluster().name(),
                "declare port " + port.getKey() + " identically in every exporting cluster").inCluster(
                    other.cluster().name()));
          }
        }
      }
      for (String port : allPorts) {
        List<String> missing = exported.stream().filter(e -> !ports(e.service()).containsKey(port))
            .map(e -> e.cluster().name()).toList();
        if (!missing.isEmpty()) {
          Exported having = exported.stream().filter(e -> ports(e.service()).containsKey(port)).findFirst()
              .orElseThrow();
          report.accept(Message.of(MessageType.EXPORTED_PORTS_DIFFER, having.key(),
              having.cluster().snapshot().origin(having.key()), "spec.ports[" + port + "]",
              "exported port " + port + " is missing in cluster(s) " + missing + "; traffic to it reaches only the "
                  + "clusters that declare it",
              "add port " + port + " to " + entry.getKey() + " in " + missing + ", or remove it everywhere")
              .inCluster(having.cluster().name()));
        }
      }
    }
  }

  private static Map<String, ServicePort> ports(Service service) {
    Map<String, ServicePort> ports = new LinkedHashMap<>();
    if (service.getSpec() != null && service.getSpec().getPorts() != null) {
      for (ServicePort port : service.getSpec().getPorts()) {
        String id = port.getName() == null || port.getName().isEmpty() ? String.valueOf(port.getPort())
            : port.getName();
        ports.put(id, port);
      }
    }
    return ports;
  }

  private static boolean sameShape(ServicePort a, ServicePort b) {
    return Objects.equals(a.getPort(), b.getPort()) && protocol(a).equals(protocol(b))
        && Objects.equals(a.getAppProtocol(), b.getAppProtocol());
  }

  private static String protocol(ServicePort port) {
    return port.getProtocol() == null ? "TCP" : port.getProtocol();
  }

  private static String describe(ServicePort port) {
    return port.getPort() + "/" + protocol(port) + (port.getAppProtocol() == null ? ""
        : " appProtocol " + port.getAppProtocol());
  }
}
