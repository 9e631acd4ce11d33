package io.meshfed.it.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchFiguresTest {

  @Test
  void stolenTimeIsReadFromProcStat() {
    assumeTrue(Files.isReadable(Path.of("/proc/stat")), "no /proc/stat here (not Linux)");
    long first = BenchFigures.stolenMillis();
    assertThat(first).isNotNegative();
    assertThat(BenchFigures.stolenMillis()).isGreaterThanOrEqualTo(first);
  }

  @Test
  void stolenTimeIsSetAgainstTheMachinesCpusOverTheInterval() {
    // 10 % of 4 CPUs' time over 10 s.
    assertThat(BenchFigures.stolenBetween(0, 4000, 10_000, 4))
        .isEqualTo("CPU stolen by the hypervisor: 4.0 s of 4 CPUs x 10.0 s (10.0 %, the whole machine)");
    assertThat(BenchFigures.stolenBetween(-1, 5, 1000, 4)).endsWith("unknown (no /proc/stat)");
    assertThat(BenchFigures.machineCpus()).isPositive();
  }
}
