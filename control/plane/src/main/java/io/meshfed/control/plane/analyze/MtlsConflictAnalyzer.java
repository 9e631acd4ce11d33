package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRule.TlsMode;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.PeerAuthentication.MtlsMode;
import io.meshfed.control.plane.istio.PeerAuthenticationIndex;
import io.meshfed.control.plane.istio.Workload;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A DestinationRule's TLS mode must agree with what the target workloads accept (MF0105, Istio's former
 * IST0113 MTLSPolicyConflict): {@code DISABLE} to workloads whose PeerAuthentication is {@code STRICT} is refused
 * (they require mTLS), {@code ISTIO_MUTUAL} to workloads whose mode is {@code DISABLE} fails the handshake (they
 * expect plain text). {@code PERMISSIVE} accepts both.
 */
final class MtlsConflictAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.MTLS_MODE_CONFLICT);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    ConfigSnapshot snapshot = context.snapshot();
    ServiceRegistry registry = new ServiceRegistry(snapshot, context.meshExportedHosts());
    PeerAuthenticationIndex peers = snapshot.peerAuthenticationIndex();
    for (DestinationRule rule : snapshot.destinationRules()) {
      Optional<Service> service = registry.service(rule.fqdn());
      if (service.isEmpty() || rule.trafficPolicy().isEmpty()) {
        continue;
      }
      DestinationRule.TrafficPolicy policy = rule.trafficPolicy().get();
      String namespace = service.get().getMetadata().getNamespace();
      List<Workload> workloads = registry.workloadsOf(service.get());
      List<ServicePort> ports = service.get().getSpec() == null || service.get().getSpec().getPorts() == null
          ? List.of() : service.get().getSpec().getPorts();
      for (ServicePort port : ports) {
        Optional<DestinationRule.PortTrafficPolicy> portPolicy = policy.forPort(port.getPort());
        Optional<TlsMode> mode = portPolicy.flatMap(DestinationRule.PortTrafficPolicy::tls)
            .or(policy::tls).map(DestinationRule.ClientTls::mode);
        if (mode.isEmpty()) {
          continue;
        }
        String field = portPolicy.flatMap(DestinationRule.PortTrafficPolicy::tls).isPresent()
            ? "spec.trafficPolicy.portLevelSettings[" + policy.portLevelSettings().indexOf(portPolicy.get())
                + "].tls.mode"
            : "spec.trafficPolicy.tls.mode";
        int targetPort = port.getTargetPort() != null && port.getTargetPort().getIntVal() != null
            ? port.getTargetPort().getIntVal() : port.getPort();
        List<Map<String, String>> targets = workloads.isEmpty() ? List.of(Map.of())
            : workloads.stream().map(Workload::labels).distinct().toList();
        for (Map<String, String> labels : targets) {
          MtlsMode accepted = peers.effectiveMode(namespace, labels, targetPort);
          if (conflicts(mode.get(), accepted)) {
            report.accept(Message.of(MessageType.MTLS_MODE_CONFLICT, rule.key(), rule.meta().origin(), field,
                mode.get() + " to port " + port.getPort() + " of Service " + namespace + "/"
                    + service.get().getMetadata().getName() + ", whose workloads" + (labels.isEmpty() ? "" : " " + labels)
                    + " accept " + accepted + " by PeerAuthentication; connections fail (503 UF/URX)",
                accepted == MtlsMode.STRICT ? "use tls.mode ISTIO_MUTUAL (or remove tls to let meshfed choose)"
                    : "use tls.mode DISABLE for this port, or make the PeerAuthentication PERMISSIVE"));
            break;
          }
        }
      }
    }
  }

  private static boolean conflicts(TlsMode client, MtlsMode server) {
    return client == TlsMode.DISABLE && server == MtlsMode.STRICT
        || client == TlsMode.ISTIO_MUTUAL && server == MtlsMode.DISABLE;
  }
}
