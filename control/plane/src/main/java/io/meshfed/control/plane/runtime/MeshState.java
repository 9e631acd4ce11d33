package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.trust.TrustBundle;
import java.util.Map;
import java.util.Objects;

/**
 * Everything translation reads, as one immutable value: the local config snapshot, the federation catalog's
 * services and clusters, and the trust bundle. A new input is a new state.
 *
 * @param generation rises with every change of any input, for logs
 */
public record MeshState(ConfigSnapshot config, Map<ServiceKey, FederatedService> services,
    Map<String, ClusterView> clusters, TrustBundle trust, long generation) {

  public MeshState {
    Objects.requireNonNull(config, "config");
    services = Map.copyOf(services);
    clusters = Map.copyOf(clusters);
    Objects.requireNonNull(trust, "trust");
  }

  @Override
  public String toString() {
    return "MeshState{generation=" + generation + ", config=" + config.version() + ", services=" + services.size()
        + ", clusters=" + clusters.keySet() + "}";
  }
}
