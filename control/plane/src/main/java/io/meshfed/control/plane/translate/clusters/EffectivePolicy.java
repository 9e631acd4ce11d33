package io.meshfed.control.plane.translate.clusters;

import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.istio.DestinationRule.ConnectionPool;
import io.meshfed.control.plane.istio.DestinationRule.LoadBalancer;
import io.meshfed.control.plane.istio.DestinationRule.OutlierDetection;
import io.meshfed.control.plane.istio.DestinationRule.PortTrafficPolicy;
import io.meshfed.control.plane.istio.DestinationRule.Subset;
import io.meshfed.control.plane.istio.DestinationRule.TrafficPolicy;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import java.util.Optional;

/**
 * The traffic policy in force for one port of one subset, merged as Istio does ({@code MergeTrafficPolicy}): the
 * rule's top-level policy, overridden by its {@code portLevelSettings} for the port, then by the subset's policy
 * and the subset's port-level settings; each of loadBalancer, connectionPool, outlierDetection and tls replaces the
 * one before it whole.
 */
public record EffectivePolicy(Optional<LoadBalancer> loadBalancer, Optional<ConnectionPool> connectionPool,
    Optional<OutlierDetection> outlierDetection, Optional<ClientTls> tls) {

  public static final EffectivePolicy NONE = new EffectivePolicy(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty());

  /** The policy of {@code rule} (may be empty) for a port and subset ({@code ""} for none). */
  public static EffectivePolicy of(Optional<DestinationRuleIndex.Merged> rule, int port, String subset) {
    if (rule.isEmpty()) {
      return NONE;
    }
    EffectivePolicy policy = NONE.with(rule.get().trafficPolicy(), port);
    if (!subset.isEmpty()) {
      Optional<Subset> s = rule.get().subset(subset);
      if (s.isPresent()) {
        policy = policy.with(s.get().trafficPolicy(), port);
      }
    }
    return policy;
  }

  private EffectivePolicy with(Optional<TrafficPolicy> policy, int port) {
    if (policy.isEmpty()) {
      return this;
    }
    TrafficPolicy p = policy.get();
    EffectivePolicy merged = new EffectivePolicy(p.loadBalancer().or(() -> loadBalancer),
        p.connectionPool().or(() -> connectionPool), p.outlierDetection().or(() -> outlierDetection),
        p.tls().or(() -> tls));
    Optional<PortTrafficPolicy> forPort = p.forPort(port);
    if (forPort.isPresent()) {
      PortTrafficPolicy pp = forPort.get();
      merged = new EffectivePolicy(pp.loadBalancer().or(merged::loadBalancer),
          pp.connectionPool().or(merged::connectionPool), pp.outlierDetection().or(merged::outlierDetection),
          pp.tls().or(merged::tls));
    }
    return merged;
  }
}
