package io.meshfed.control.client.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExplanationsTest {

  @ParameterizedTest
  @EnumSource(ResponseFlag.class)
  void everyFlagSaysWhatHappenedWithCausesChecksAndFixes(ResponseFlag flag) {
    FlagExplanation explanation = Explanations.of(flag);
    assertThat(explanation.subject()).isEqualTo(flag.code());
    assertThat(explanation.title()).isEqualTo(flag.longName());
    assertThat(explanation.whatHappened()).hasSizeGreaterThan(40);
    assertThat(explanation.causes()).isNotEmpty();
    for (Cause cause : explanation.causes()) {
      assertThat(cause.why()).as("%s: %s", flag, cause.name()).isNotBlank();
      assertThat(cause.fix()).as("%s: %s", flag, cause.name()).isNotBlank();
      assertThat(cause.confirm()).as("%s: %s", flag, cause.name()).isNotEmpty();
    }
    flag.typicalStatus().ifPresent(status ->
        assertThat(explanation.typicalStatus()).startsWith(Integer.toString(status)));
  }

  /** Istio's 503 flowchart, each step somewhere in the catalogue under the flag that shows it. */
  @Test
  void theFiveOhThreeFlowchartIsCovered() {
    assertThat(causes(ResponseFlag.UH)).contains("start-up race", "outlier detection ejected every host",
        "subset selects no pods");
    assertThat(causes(ResponseFlag.UF)).contains("mTLS mode mismatch", "rolling update without drain");
    assertThat(causes(ResponseFlag.UC)).contains("keep-alive mismatch", "rolling update without drain");
    assertThat(causes(ResponseFlag.UO)).contains("pool limits too low for the traffic");
    assertThat(causes(ResponseFlag.NR)).contains("stale config or start-up race",
        "host not served by the Gateway or VirtualService");
    String ucText = text(Explanations.of(ResponseFlag.UC));
    assertThat(ucText).contains("idleTimeout").contains("shorter");
    assertThat(text(Explanations.of(ResponseFlag.UF))).contains("upstream_transport_failure_reason")
        .contains("PeerAuthentication");
  }

  @Test
  void checksPointAtRealViewsMetricsAndLogFields() {
    String all = Explanations.all().stream().map(ExplanationsTest::text).collect(Collectors.joining("\n"));
    assertThat(all).contains("meshfed proxy-config <gateway> endpoints", "meshfed proxy-config <gateway> clusters",
        "meshfed proxy-config <gateway> routes", "meshfed proxy-status", "meshfed analyze",
        "istio_requests_total", "response_code_details", "upstream_host", ":15021/healthz/ready");
  }

  @Test
  void aFlaglessFailureIsExplainedAsTheUpstreamsOrAnRbacDenial() {
    assertThat(Explanations.of(ResponseFlags.NONE)).containsExactly(Explanations.noFlag());
    assertThat(Explanations.forResponse(ResponseFlags.NONE,
        "rbac_access_denied_matched_policy[ns[default]-policy[deny-all]-rule[0]]"))
        .containsExactly(Explanations.rbacDenied());
    assertThat(Explanations.forResponse(ResponseFlags.NONE, "via_upstream")).containsExactly(Explanations.noFlag());
    assertThat(Explanations.forResponse(ResponseFlags.parse("UF,URX"), null))
        .extracting(FlagExplanation::subject).containsExactly("UF", "URX");
  }

  @Test
  void findsBySubject() {
    assertThat(Explanations.find("UF")).contains(Explanations.of(ResponseFlag.UF));
    assertThat(Explanations.find("NoRouteFound")).contains(Explanations.of(ResponseFlag.NR));
    assertThat(Explanations.find("-")).contains(Explanations.noFlag());
    assertThat(Explanations.find("rbac_access_denied")).contains(Explanations.rbacDenied());
    assertThat(Explanations.find("XYZ")).isEmpty();
    assertThat(Explanations.all()).hasSize(ResponseFlag.values().length + 2);
  }

  private static List<String> causes(ResponseFlag flag) {
    return Explanations.of(flag).causes().stream().map(Cause::name).toList();
  }

  private static String text(FlagExplanation explanation) {
    return explanation.whatHappened() + " " + explanation.causes().stream()
        .map(cause -> cause.name() + " " + cause.why() + " " + cause.fix() + " " + String.join(" ", cause.confirm()))
        .collect(Collectors.joining(" "));
  }
}
