package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.VirtualService;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a VirtualService refers to must exist: destination hosts (MF0101, Istio's IST0101), gateways (MF0102) and
 * subsets, looked up along Istio's DestinationRule path from the VirtualService's namespace (MF0103).
 */
final class ReferenceAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.HOST_NOT_FOUND, MessageType.GATEWAY_NOT_FOUND, MessageType.SUBSET_NOT_DEFINED);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    ConfigSnapshot snapshot = context.snapshot();
    ServiceRegistry registry = new ServiceRegistry(snapshot, context.meshExportedHosts());
    Set<String> gateways = new HashSet<>();
    for (Gateway gateway : snapshot.gateways()) {
      gateways.add(gateway.meta().namespace() + "/" + gateway.meta().name());
    }
    DestinationRuleIndex rules = snapshot.destinationRuleIndex();
    for (VirtualService vs : snapshot.virtualServices()) {
      List<String> refs = vs.gatewayRefs();
      for (int i = 0; i < refs.size(); i++) {
        String ref = refs.get(i);
        if (!ref.equals(VirtualService.MESH) && !gateways.contains(ref)) {
          report.accept(Message.of(MessageType.GATEWAY_NOT_FOUND, vs.key(), vs.meta().origin(),
              "spec.gateways[" + i + "]", "Gateway " + ref + " not found",
              "create the Gateway, or write its name as namespace/name (a bare name means the VirtualService's "
                  + "namespace, " + vs.meta().namespace() + ")"));
        }
      }
      for (RouteDestinations.Located located : RouteDestinations.of(vs)) {
        String fqdn = located.destination().fqdn();
        if (!registry.knows(fqdn)) {
          report.accept(Message.of(MessageType.HOST_NOT_FOUND, vs.key(), vs.meta().origin(),
              located.field() + ".host", "\"" + located.destination().host() + "\" (" + fqdn + ") is not defined by "
                  + "any Service or ServiceEntry; requests fail with 503 (no cluster)",
              fqdn.contains(".svc.") ? "create the Service, fix the name, or use its FQDN if it lives in another "
                  + "namespace (short names resolve against the VirtualService's namespace)"
                  : "add a ServiceEntry for " + fqdn));
          continue;
        }
        Optional<String> subset = located.destination().subset();
        if (subset.isPresent()) {
          // The rule is looked up from where the traffic leaves: the mesh (the VirtualService's namespace) and
          // each gateway it is bound to (the gateway's namespace), as Istio does per proxy.
          List<String> clients = refs.stream().map(r -> r.equals(VirtualService.MESH) ? vs.meta().namespace()
              : r.substring(0, r.indexOf('/'))).distinct().toList();
          Optional<DestinationRuleIndex.Merged> rule = clients.stream().map(ns -> rules.lookup(fqdn, ns))
              .flatMap(Optional::stream).filter(r -> r.subset(subset.get()).isPresent()).findFirst()
              .or(() -> rules.lookup(fqdn, vs.meta().namespace()));
          if (rule.flatMap(r -> r.subset(subset.get())).isEmpty()) {
            report.accept(Message.of(MessageType.SUBSET_NOT_DEFINED, vs.key(), vs.meta().origin(),
                located.field() + ".subset", "subset \"" + subset.get() + "\" of " + fqdn + " is not defined"
                    + rule.map(r -> " (DestinationRule " + r.sources().get(0).key().qualifiedName() + " defines "
                        + r.subsets().stream().map(s -> s.name()).toList() + ")")
                        .orElse(" (no DestinationRule for the host)") + "; requests fail with 503",
                "define the subset in a DestinationRule for " + fqdn + " before routing to it"));
          }
        }
      }
    }
  }
}
