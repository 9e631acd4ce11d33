package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.istio.HostNames;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.VirtualService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A VirtualService bound to a Gateway must have a host that one of the Gateway's servers exposes to the
 * VirtualService's namespace (MF0108, Istio's IST0132); otherwise it never applies there. Server hosts are
 * {@code namespace/host}: {@code *} any namespace, {@code .} the Gateway's, a bare host means {@code * /host}.
 */
final class GatewayHostAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.GATEWAY_HOST_MISMATCH);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    Map<String, Gateway> gateways = new HashMap<>();
    context.snapshot().gateways().forEach(g -> gateways.put(g.meta().namespace() + "/" + g.meta().name(), g));
    for (VirtualService vs : context.snapshot().virtualServices()) {
      List<String> refs = vs.gatewayRefs();
      for (int i = 0; i < refs.size(); i++) {
        Gateway gateway = gateways.get(refs.get(i));
        if (gateway == null) {
          continue; // MF0102 reports it
        }
        if (vs.hosts().stream().noneMatch(host -> exposes(gateway, host, vs.meta().namespace()))) {
          List<String> serverHosts = gateway.servers().stream().flatMap(s -> s.hosts().stream()).distinct().toList();
          report.accept(Message.of(MessageType.GATEWAY_HOST_MISMATCH, vs.key(), vs.meta().origin(),
              "spec.gateways[" + i + "]", "none of the hosts " + vs.hosts() + " is exposed to namespace "
                  + vs.meta().namespace() + " by Gateway " + refs.get(i) + " (servers' hosts " + serverHosts
                  + "); the VirtualService has no effect there",
              "add a matching host to the Gateway's servers (e.g. \"" + vs.meta().namespace() + "/"
                  + vs.hosts().get(0) + "\"), or fix the VirtualService's hosts"));
        }
      }
    }
  }

  static boolean exposes(Gateway gateway, String host, String namespace) {
    for (Gateway.Server server : gateway.servers()) {
      for (String entry : server.hosts()) {
        String[] parts = entry.split("/", 2);
        String allowed = parts.length == 2 ? parts[0] : "*";
        String serverHost = parts.length == 2 ? parts[1] : parts[0];
        boolean namespaceOk = allowed.equals("*") || allowed.equals(namespace)
            || allowed.equals(".") && gateway.meta().namespace().equals(namespace);
        if (namespaceOk && HostNames.overlap(serverHost.toLowerCase(java.util.Locale.ROOT),
            host.toLowerCase(java.util.Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }
}
