package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.istio.Gateway;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import java.util.Locale;

/**
 * Istio Gateways that select the east-west gateway. Its listeners are fixed ({@link EastWestListeners}): the server
 * Istio's multi-network install declares ({@code cross-network-gateway}: TLS on 15443, AUTO_PASSTHROUGH, hosts
 * {@code *.local}) describes the 15443 listener, and every other server (Istio's {@code istiod-gateway} on
 * 15012/15017, say) is not served, so it is reported rather than dropped unseen.
 */
final class EastWestGatewayServers {

  private EastWestGatewayServers() {
  }

  static void report(GroupTranslation gt) {
    // Every exported service is <name>.<namespace>.svc.<suffix>: a wildcard host covers them all when it matches that.
    String services = ".svc." + gt.view.config().mesh().domainSuffix().toLowerCase(Locale.ROOT);
    for (Gateway gateway : gt.view.config().gateways()) {
      if (!GatewayServers.selects(gateway, gt.group)) {
        continue;
      }
      for (int i = 0; i < gateway.servers().size(); i++) {
        server(gt, gateway, i, services);
      }
    }
  }

  private static void server(GroupTranslation gt, Gateway gateway, int index, String services) {
    Gateway.Server server = gateway.servers().get(index);
    String field = "spec.servers[" + index + "]";
    int port = server.port().number();
    boolean autoPassthrough = server.tls().map(t -> t.mode() == Gateway.TlsMode.AUTO_PASSTHROUGH).orElse(false);
    if (port != EastWestListeners.INBOUND_PORT || !autoPassthrough) {
      boolean istiod = port == 15012 || port == 15017;
      gt.problems.report(Kind.UNSUPPORTED, gateway, field, "the east-west gateway serves only its fixed listeners ("
          + EastWestListeners.INBOUND_PORT + " AUTO_PASSTHROUGH for exported services, "
          + EastWestListeners.OUTBOUND_PORT + " outbound); this server (port " + port + ", "
          + server.port().protocol() + server.tls().map(t -> " " + t.mode()).orElse("") + ") is not served",
          istiod ? "drop it: each cluster runs its own meshfed control plane, so istiod needs no exposing"
              : "serve it from an ingress gateway (select istio: ingressgateway), or drop it");
      return;
    }
    for (int h = 0; h < server.hosts().size(); h++) {
      String host = server.hosts().get(h);
      String bare = host.substring(host.indexOf('/') + 1).toLowerCase(Locale.ROOT);
      boolean everyService = bare.equals("*") || bare.startsWith("*.") && services.endsWith(bare.substring(1));
      if (!everyService) {
        gt.problems.report(Kind.UNSUPPORTED, gateway, field + ".hosts[" + h + "]", "\"" + host + "\" does not "
            + "narrow what the east-west gateway exposes: it serves every exported service", "choose what leaves "
            + "the cluster with ServiceExport, and list \"*.local\" here as Istio's samples do");
      }
    }
  }
}
