package io.meshfed.control.plane.runtime;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.xds.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A translation simpler than the real one ({@link MeshTranslation}) for tests about the runtime itself: every group
 * gets one EDS cluster {@code outbound|<port>||<fqdn>} per Service port of the config snapshot, plus one per service
 * the federation catalog holds, so a test sees config and catalog changes arrive at an ADS client.
 */
final class TestTranslation implements Translation {

  @Override
  public Map<String, Snapshot> translate(MeshState state, Set<String> groups) {
    Snapshot.Builder builder = Snapshot.builder();
    Set<String> names = new java.util.TreeSet<>();
    for (Service service : state.config().services()) {
      if (service.getSpec() == null || service.getSpec().getPorts() == null) {
        continue;
      }
      for (ServicePort port : service.getSpec().getPorts()) {
        names.add("outbound|" + port.getPort() + "||" + service.getMetadata().getName() + "."
            + service.getMetadata().getNamespace() + ".svc.cluster.local");
      }
    }
    state.catalog().services().forEach((key, service) -> service.clusters().forEach((cluster, export) ->
        export.ports().forEach(port -> names.add("outbound|" + port.port() + "||" + key.name() + "."
            + key.namespace() + ".svc.cluster.local"))));
    names.forEach(name -> builder.add(XdsResourceType.CLUSTER, Cluster.newBuilder().setName(name)
        .setType(Cluster.DiscoveryType.EDS).build()));
    Snapshot snapshot = builder.build();
    Map<String, Snapshot> out = new HashMap<>();
    groups.forEach(group -> out.put(group, snapshot));
    return out;
  }
}
