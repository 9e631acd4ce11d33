package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.translate.clusters.ClusterSpec;
import io.meshfed.control.plane.translate.endpoints.EndpointPolicy;
import io.meshfed.control.plane.translate.endpoints.EndpointScope;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.PortSpec;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster a group needs: how to build it, and (EDS clusters) how to build its load assignment.
 *
 * @param subsetOwner where the subset is defined, for problems about it
 */
record ClusterRef(ClusterSpec spec, Optional<EdsRef> eds) {

  String name() {
    return spec.name();
  }

  /**
   * A load assignment to build: the service's endpoints for a port and subset as seen by the group.
   *
   * @param subsetName the subset ({@code ""} for none)
   * @param subsetRule the DestinationRule that defines the subset (for problems), if any
   */
  record EdsRef(String name, MeshService service, PortSpec port, String subsetName, Map<String, String> subset,
      EndpointScope scope, boolean plaintextOnly, EndpointPolicy policy,
      Optional<io.meshfed.control.plane.istio.DestinationRule> subsetRule) {

    EdsRef with(MeshService next) {
      return new EdsRef(name, next, port, subsetName, subset, scope, plaintextOnly, policy, subsetRule);
    }
  }
}
