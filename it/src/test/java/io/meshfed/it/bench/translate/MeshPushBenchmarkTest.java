package io.meshfed.it.bench.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the push benchmark at a tiny scale, so it cannot rot unnoticed (its figures are not checked here). */
class MeshPushBenchmarkTest {

  @Test
  void everyExpectedGatewayReceivesEveryChange() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    MeshPushBenchmark.Result result;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      result = MeshPushBenchmark.run(MeshPushBenchmark.Options.parse("services=50", "endpoints=300", "gateways=4",
          "warmups=2", "rounds=4", "quietMs=20"), out);
    }
    // Every service is routed at this scale (routes >= services), so every change reaches both groups: all 4.
    assertThat(result.expectedPerRound()).containsExactly(4, 4, 4, 4);
    assertThat(result.receivedPerRound()).containsExactly(result.expectedPerRound());
    assertThat(result.afterDebounceP99()).isPositive();
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("[target: p99 <= 50 ms] -> ", "gateways receiving per round: 4 in 4 round(s)",
        "translation per round", "heap after GC", "load average", "heap after the initial sync",
        "during the measured rounds: CPU stolen by the hypervisor: ", "slowest rounds: ", "    round ");
  }

  @Test
  void badArgumentsNameTheFieldAndTheFix() {
    assertThatThrownBy(() -> MeshPushBenchmark.Options.parse("gateways=1"))
        .hasMessage("gateways: 1 (expected: >= 2, half ingress and half east-west)");
    assertThatThrownBy(() -> MeshPushBenchmark.Options.parse("services=100", "endpoints=200"))
        .hasMessageStartingWith("endpoints: 200 (expected: >= 3 x services = 300");
    assertThatThrownBy(() -> MeshPushBenchmark.Options.parse("pods=3")).hasMessageStartingWith("argument: pods=3");
  }
}
