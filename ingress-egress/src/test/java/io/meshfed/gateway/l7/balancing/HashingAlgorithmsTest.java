package io.meshfed.gateway.l7.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingAlgorithmsTest {

  @Test
  void xxHash64MatchesTheReferenceVectors() {
    // Reference values from the xxHash specification's test vectors (seed 0).
    assertThat(XxHash64.hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(XxHash64.hash("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(XxHash64.hash("Nobody inspects the spammish repetition".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0xFBCEA83C8A378BF1L);
  }
}
