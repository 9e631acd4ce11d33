package io.meshfed.control.plane.translate.routes;

import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.DestinationRule.ConsistentHash;
import io.meshfed.control.plane.istio.Destination;
import java.util.Optional;

/**
 * Turns a route destination into a cluster name for the gateway group being translated, recording that the group
 * needs the cluster (and reporting unknown hosts, ports and subsets).
 */
public interface DestinationResolver {

  /**
   * The cluster for a destination.
   *
   * @param owner the object that names the destination (for problems)
   * @param field the destination's field path
   * @param defaultPort the port to use when the destination has none and the service has several (the listener's
   *     service port for mesh routes), or 0
   * @return the cluster name; a name is returned even for unknown hosts (requests then fail with 503, as in Istio)
   */
  String cluster(ConfigResource owner, String field, Destination destination, int defaultPort);

  /** The DestinationRule's consistent hash for the destination's host, port and subset, if any. */
  Optional<ConsistentHash> consistentHash(Destination destination, int defaultPort);
}
