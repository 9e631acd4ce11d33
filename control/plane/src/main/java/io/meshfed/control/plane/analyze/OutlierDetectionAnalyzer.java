package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Outlier detection that can eject every endpoint (MF0111): {@code maxEjectionPercent: 100} with
 * {@code minHealthPercent: 0} (Istio's default, which disables Envoy's panic threshold) lets a burst of errors
 * eject all hosts, and every request then fails with 503 UH (no healthy upstream) for at least
 * {@code baseEjectionTime}, even when the errors came from a dependency.
 */
final class OutlierDetectionAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.OUTLIER_DETECTION_EJECTS_ALL);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    for (DestinationRule rule : context.snapshot().destinationRules()) {
      rule.trafficPolicy().ifPresent(policy -> check(rule, policy, "spec.trafficPolicy", report));
      for (int i = 0; i < rule.subsets().size(); i++) {
        int index = i;
        rule.subsets().get(i).trafficPolicy()
            .ifPresent(policy -> check(rule, policy, "spec.subsets[" + index + "].trafficPolicy", report));
      }
    }
  }

  private static void check(DestinationRule rule, DestinationRule.TrafficPolicy policy, String field,
      Consumer<Message> report) {
    checkOne(rule, policy.outlierDetection(), field + ".outlierDetection", report);
    for (int i = 0; i < policy.portLevelSettings().size(); i++) {
      checkOne(rule, policy.portLevelSettings().get(i).outlierDetection(),
          field + ".portLevelSettings[" + i + "].outlierDetection", report);
    }
  }

  private static void checkOne(DestinationRule rule, Optional<DestinationRule.OutlierDetection> outlier, String field,
      Consumer<Message> report) {
    outlier.filter(o -> o.maxEjectionPercent() == 100 && o.minHealthPercent() == 0).ifPresent(o ->
        report.accept(Message.of(MessageType.OUTLIER_DETECTION_EJECTS_ALL, rule.key(), rule.meta().origin(), field,
            "maxEjectionPercent 100 with minHealthPercent 0 can eject every endpoint of " + rule.fqdn()
                + "; requests then fail with 503 UH for baseEjectionTime (" + o.baseEjectionTime().toSeconds() + "s)",
            "lower maxEjectionPercent (Istio's default is 10), or set minHealthPercent (e.g. 50) so that traffic "
                + "spreads over all endpoints when too few are healthy")));
  }
}
