package io.meshfed.it.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchArgsTest {

  private static final Map<String, Integer> DEFAULTS = Map.of("services", 10, "rounds", 5);

  @Test
  void argumentsOverrideTheirDefaultsAndTheOthersKeepThem() {
    assertThat(BenchArgs.parse(DEFAULTS, "rounds=7")).containsExactlyInAnyOrderEntriesOf(
        Map.of("services", 10, "rounds", 7));
    assertThat(BenchArgs.parse(DEFAULTS)).isEqualTo(DEFAULTS);
  }

  @Test
  void anUnknownKeyIsRefusedWithTheKeysThereAre() {
    assertThatThrownBy(() -> BenchArgs.parse(DEFAULTS, "pods=3"))
        .hasMessage("argument: pods=3 (expected: one of [rounds, services] as key=value)");
    assertThatThrownBy(() -> BenchArgs.parse(DEFAULTS, "rounds"))
        .hasMessageStartingWith("argument: rounds (expected:");
  }

  @Test
  void aValueThatIsNotAnIntegerIsRefusedByItsKey() {
    assertThatThrownBy(() -> BenchArgs.parse(DEFAULTS, "rounds=2.5"))
        .hasMessage("rounds: 2.5 (expected: an integer)");
  }
}
