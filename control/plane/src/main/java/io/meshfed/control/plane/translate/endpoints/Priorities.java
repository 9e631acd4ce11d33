package io.meshfed.control.plane.translate.endpoints;

import io.meshfed.control.plane.istio.DestinationRule.Failover;
import io.meshfed.federation.catalog.Locality;
import java.util.List;
import java.util.function.Function;

/**
 * Istio's failover priorities (DestinationRule {@code localityLbSetting}, "Locality failover"):
 *
 * <ul>
 *   <li>by locality: 0 region, zone and sub-zone match the client's; 1 region and zone match; 2 region matches;
 *       3 a {@code failover} rule sends the client's region to the endpoint's; 4 anything else;</li>
 *   <li>by {@code failoverPriority} labels [l1..lN]: the number of labels, counted from the first, that do not
 *       all match the client's (0 when all N match, N when the first differs); {@code key=value} entries compare
 *       the endpoint's label with the value;</li>
 *   <li>both: locality first, labels within each locality rank.</li>
 * </ul>
 * meshfed adds one rule where Istio has none: within one locality rank, this cluster's endpoints come before other
 * clusters' (a cross-cluster hop goes through two east-west gateways). Only an explicit {@code failoverPriority}
 * without {@code failover} is applied exactly as written.
 * Raw priorities are renumbered contiguously afterwards: Envoy requires priorities without gaps.
 */
final class Priorities {

  /** Special labels {@code failoverPriority} may name (Istio's topology labels). */
  static final String NETWORK = "topology.istio.io/network";
  static final String CLUSTER = "topology.istio.io/cluster";
  static final String REGION = "topology.kubernetes.io/region";
  static final String ZONE = "topology.kubernetes.io/zone";
  static final String SUBZONE = "topology.istio.io/subzone";

  private Priorities() {
  }

  /**
   * @param endpointLabel the endpoint's label values (special labels included)
   */
  static int raw(EndpointPolicy policy, Locality endpoint, Function<String, String> endpointLabel) {
    List<String> labels = policy.failoverPriority();
    int byLabels = labels.isEmpty() ? 0 : labelRank(policy, labels, endpointLabel);
    if (!labels.isEmpty() && policy.failover().isEmpty()) {
      return byLabels;
    }
    int byLocality = localityRank(policy.client(), policy.failover(), endpoint);
    int byCluster = policy.clientCluster().equals(endpointLabel.apply(CLUSTER)) ? 0 : 1;
    return (byLocality * 2 + byCluster) * (labels.size() + 1) + byLabels;
  }

  private static int labelRank(EndpointPolicy policy, List<String> labels, Function<String, String> endpointLabel) {
    for (int i = 0; i < labels.size(); i++) {
      String entry = labels.get(i);
      int eq = entry.indexOf('=');
      String key = eq < 0 ? entry : entry.substring(0, eq);
      String wanted = eq < 0 ? clientLabel(policy, key) : entry.substring(eq + 1);
      String actual = endpointLabel.apply(key);
      if (wanted == null || actual == null || !wanted.equals(actual)) {
        return labels.size() - i;
      }
    }
    return 0;
  }

  private static String clientLabel(EndpointPolicy policy, String key) {
    return switch (key) {
      case NETWORK -> policy.clientNetwork();
      case CLUSTER -> policy.clientCluster();
      case REGION -> policy.client().region();
      case ZONE -> policy.client().zone();
      case SUBZONE -> policy.client().subzone();
      default -> policy.clientLabels().get(key);
    };
  }

  private static int localityRank(Locality client, List<Failover> failover, Locality endpoint) {
    if (!client.region().isEmpty() && client.region().equals(endpoint.region())) {
      if (client.zone().equals(endpoint.zone())) {
        return client.subzone().equals(endpoint.subzone()) ? 0 : 1;
      }
      return 2;
    }
    if (client.region().isEmpty() && endpoint.region().isEmpty()) {
      return 0; // neither knows where it is: no preference
    }
    for (Failover rule : failover) {
      if (rule.from().equals(client.region()) && rule.to().equals(endpoint.region())) {
        return 3;
      }
    }
    return 4;
  }
}
