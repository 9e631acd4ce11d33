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
  void stolenTimeIsSetAgainstAllCoresOverTheInterval() {
    int cores = Runtime.getRuntime().availableProcessors();
    // 10 % of all cores' time over 10 s.
    String text = BenchFigures.stolenBetween(0, cores * 1000L, 10_000);
    assertThat(text).isEqualTo("CPU stolen by the hypervisor: " + String.format(java.util.Locale.ROOT, "%.1f",
        cores * 1.0) + " s of " + cores + " cores x 10.0 s (10.0 %)");
    assertThat(BenchFigures.stolenBetween(-1, 5, 1000)).endsWith("unknown (no /proc/stat)");
  }
}
