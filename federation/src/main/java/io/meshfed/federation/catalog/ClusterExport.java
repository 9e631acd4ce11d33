package io.meshfed.federation.catalog;

import java.util.List;

/**
 * One cluster's contribution to a federated service, joined with what the consumer needs from the cluster's record
 * (network, locality, gateways) so it can build endpoints without a second lookup.
 *
 * @param endpoints the pod endpoints when {@code reach} is ENDPOINTS, else empty
 * @param gateways the cluster's east-west gateways when {@code reach} is GATEWAY, else empty
 * @param stale true while the cluster's lease is expired (served, but the consumer may prefer live clusters)
 */
public record ClusterExport(String clusterId, String network, Locality locality, Reach reach,
    List<ServicePort> ports, List<Endpoint> endpoints, List<GatewayAddress> gateways, int healthyEndpoints,
    boolean stale, long epoch, long revision) {

  public ClusterExport {
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
    gateways = List.copyOf(gateways);
  }

  static ClusterExport of(CatalogEntry entry, ClusterRecord record, boolean stale) {
    ExportedService service = entry.service();
    ClusterInfo info = record.info();
    return new ClusterExport(entry.clusterId(), info.network(), info.locality(), service.reach(), service.ports(),
        service.endpoints(), service.reach() == Reach.GATEWAY ? info.gateways() : List.of(),
        service.healthyEndpoints(), stale, entry.epoch(), entry.revision());
  }
}
