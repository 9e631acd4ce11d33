package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.ResourceKey;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Service ports must declare their protocol, by name prefix ({@code http-web}, {@code grpc}) or
 * {@code appProtocol}, as Istio's explicit protocol selection expects (MF0109, Istio's IST0118). meshfed's gateways
 * do not sniff protocols: an undeclared port is opaque TCP, so HTTP routes, retries and L7 metrics do not apply.
 */
final class PortNameAnalyzer implements Analyzer {

  static final Set<String> PROTOCOLS = Set.of("http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "mongo",
      "mysql", "redis", "udp");
  private static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.PORT_PROTOCOL_UNDETECTABLE);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    for (Service service : context.snapshot().services()) {
      String namespace = service.getMetadata().getNamespace();
      String name = service.getMetadata().getName();
      if (SYSTEM_NAMESPACES.contains(namespace) || namespace.equals("default") && name.equals("kubernetes")
          || service.getSpec() == null || service.getSpec().getPorts() == null) {
        continue;
      }
      ResourceKey key = new ResourceKey("Service", namespace, name);
      List<ServicePort> ports = service.getSpec().getPorts();
      for (int i = 0; i < ports.size(); i++) {
        ServicePort port = ports.get(i);
        if (declared(port)) {
          continue;
        }
        String portName = port.getName() == null ? "" : port.getName();
        report.accept(Message.of(MessageType.PORT_PROTOCOL_UNDETECTABLE, key, context.snapshot().origin(key),
            "spec.ports[" + i + "].name", "port " + port.getPort() + (portName.isEmpty() ? " has no name"
                : " is named \"" + portName + "\"") + " without a protocol prefix or appProtocol; it is treated as "
                + "opaque TCP (no HTTP routing, retries or L7 metrics)",
            "name it <protocol>[-<suffix>] (e.g. http-" + (portName.isEmpty() ? "web" : portName)
                + ") or set appProtocol (e.g. http, grpc)"));
      }
    }
  }

  static boolean declared(ServicePort port) {
    if (port.getAppProtocol() != null && !port.getAppProtocol().isEmpty()) {
      return true;
    }
    String name = port.getName() == null ? "" : port.getName().toLowerCase(java.util.Locale.ROOT);
    for (String protocol : PROTOCOLS) {
      if (name.equals(protocol) || name.startsWith(protocol + "-")) {
        return true;
      }
    }
    return false;
  }
}
