package io.meshfed.control.plane.translate;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshfed.control.plane.istio.Visibility;
import io.meshfed.control.plane.translate.listeners.ListenerParts;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.PortSpec;
import io.meshfed.control.plane.translate.routes.RouteDialect;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proxyless gRPC clients in the mesh (no {@code ROLE}): as Istio's proxyless gRPC, one API listener per service port
 * named {@code <fqdn>:<port>} (the {@code xds:///} target), its routes from the mesh's VirtualServices (or a default
 * route), and plaintext clusters of every cluster's endpoints.
 */
final class MeshProxyless {

  private final GroupTranslation gt;

  MeshProxyless(GroupTranslation gt) {
    this.gt = gt;
  }

  void translate() {
    Map<String, Integer> shortNames = new HashMap<>();
    List<MeshService> services = gt.registry.sorted().stream()
        .filter(s -> s.kind() != MeshService.Kind.SERVICE_ENTRY)
        .filter(s -> Visibility.visible(s.exportTo(), s.namespace(), gt.group.namespace())).toList();
    services.forEach(s -> shortNames.merge(s.name(), 1, Integer::sum));
    EastWestListeners.MeshRoutes routes = new EastWestListeners.MeshRoutes(gt);
    for (MeshService service : services) {
      for (PortSpec port : service.ports()) {
        if (!port.protocol().isHttp()) {
          continue;
        }
        String name = service.fqdn() + ":" + port.number();
        VirtualHost.Builder vhost = VirtualHost.newBuilder().setName(name);
        boolean sameNamespace = service.namespace().equals(gt.group.namespace());
        for (String host : EastWestListeners.kubernetesNames(service, sameNamespace
            && shortNames.get(service.name()) == 1)) {
          vhost.addDomains(host + ":" + port.number());
          vhost.addDomains(host);
        }
        vhost.addAllRoutes(routes.routes(service, port, RouteDialect.PROXYLESS));
        gt.routes.put(name, RouteConfiguration.newBuilder().setName(name).addVirtualHosts(vhost).build());
        HttpConnectionManager hcm = ListenerParts.hcm("outbound_" + name, name,
            List.of(ListenerParts.fault(), ListenerParts.router()), false);
        gt.listeners.put(name, ListenerParts.apiListener(name, hcm));
      }
    }
  }
}
