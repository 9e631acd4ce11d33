package io.meshfed.control.plane.translate.endpoints;

import io.meshfed.control.plane.istio.DestinationRule.Distribute;
import io.meshfed.control.plane.istio.DestinationRule.Failover;
import io.meshfed.federation.catalog.Locality;
import java.util.List;
import java.util.Map;

/**
 * How endpoints are prioritised and weighted for one client (a gateway group), from the DestinationRule's
 * {@code localityLbSetting}. Equal policies give equal load assignments, so groups share them.
 *
 * @param prioritize assign failover priorities (Istio does when outlier detection is configured, "Locality
 *     failover"; the east-west outbound listener always does)
 * @param client the client's locality
 * @param clientNetwork the client's network ({@code topology.istio.io/network} in {@code failoverPriority})
 * @param clientCluster the client's cluster ({@code topology.istio.io/cluster})
 * @param clientLabels the client's labels named by {@code failoverPriority}
 * @param failover region-to-region failover rules
 * @param failoverPriority labels endpoints are ranked by, most significant first
 * @param distribute locality weights (when set, {@code prioritize} is false: Istio applies one or the other)
 */
public record EndpointPolicy(boolean prioritize, Locality client, String clientNetwork, String clientCluster,
    Map<String, String> clientLabels, List<Failover> failover, List<String> failoverPriority,
    List<Distribute> distribute) {

  /** No priorities, no weights: every endpoint at priority 0. */
  public static final EndpointPolicy NONE = new EndpointPolicy(false, Locality.UNKNOWN, "", "", Map.of(), List.of(),
      List.of(), List.of());

  public EndpointPolicy {
    clientLabels = Map.copyOf(clientLabels);
    failover = List.copyOf(failover);
    failoverPriority = List.copyOf(failoverPriority);
    distribute = List.copyOf(distribute);
  }

  /** Whether localities carry weights ({@code distribute}): the cluster then sets locality-weighted LB. */
  public boolean weighted() {
    return !distribute.isEmpty();
  }
}
