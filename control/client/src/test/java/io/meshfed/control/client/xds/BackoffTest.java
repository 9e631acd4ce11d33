package io.meshfed.control.client.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void delayDoublesPerAttemptUpToTheMaximum() {
        assertThat(backoff.delay(0, () -> 0.999)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(backoff.delay(3, () -> 0.999)).isBetween(Duration.ofMillis(799), Duration.ofMillis(800));
        assertThat(backoff.delay(30, () -> 0.999)).isBetween(Duration.ofMillis(1999), Duration.ofMillis(2000));
    }

    @Test
    void jitterSpreadsDelaysOverTheUpperHalf() {
        assertThat(backoff.delay(3, () -> 0.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.delay(3, () -> 0.5)).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void invalidBoundsAreRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("initial: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max: PT1S (expected: >= initial PT2S)");
    }
}
