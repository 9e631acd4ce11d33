package io.meshfed.control.client.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResponseFlagsTest {

  /** docs/xds-profile.md is the contract with the translator; the vocabulary must be exactly its list. */
  @Test
  void vocabularyIsExactlyTheXdsProfilesList() throws IOException {
    Path profile = Path.of(System.getProperty("user.dir")).resolve("../../docs/xds-profile.md").normalize();
    String text = Files.readString(profile);
    String section = text.substring(text.indexOf("## Response flags"));
    Matcher code = Pattern.compile("`([A-Z]{2,5})`\\s+[a-z]").matcher(section);
    Set<String> documented = new LinkedHashSet<>();
    while (code.find()) {
      documented.add(code.group(1));
    }
    assertThat(Arrays.stream(ResponseFlag.values()).map(ResponseFlag::code))
        .containsExactlyInAnyOrderElementsOf(documented);
  }

  @Test
  void anEnginesFlagTextKeepsTheKnownCodesAndDropsTheOthers() {
    assertThat(ResponseFlags.parseKnown("UH,XYZ,URX")).isEqualTo(ResponseFlags.of(ResponseFlag.UH, ResponseFlag.URX));
    assertThat(ResponseFlags.parseKnown("XYZ")).isEqualTo(ResponseFlags.NONE);
    assertThat(ResponseFlags.parseKnown(null)).isEqualTo(ResponseFlags.NONE);
    assertThat(ResponseFlags.parseKnown("")).isEqualTo(ResponseFlags.NONE);
    assertThatThrownBy(() -> ResponseFlags.parse("UH,XYZ")).hasMessageContaining("XYZ");
  }

  @Test
  void longNamesAndStatusesAreEnvoys() {
    assertThat(ResponseFlag.UH.longName()).isEqualTo("NoHealthyUpstream");
    assertThat(ResponseFlag.UF.longName()).isEqualTo("UpstreamConnectionFailure");
    assertThat(ResponseFlag.UO.longName()).isEqualTo("UpstreamOverflow");
    assertThat(ResponseFlag.NR.longName()).isEqualTo("NoRouteFound");
    assertThat(ResponseFlag.URX.longName()).isEqualTo("UpstreamRetryLimitExceeded");
    assertThat(ResponseFlag.UAEX.longName()).isEqualTo("UnauthorizedExternalService");
    assertThat(ResponseFlag.UMSDR.longName()).isEqualTo("UpstreamMaxStreamDurationReached");
    assertThat(ResponseFlag.UT.typicalStatus()).hasValue(504);
    assertThat(ResponseFlag.UF.typicalStatus()).hasValue(503);
    assertThat(ResponseFlag.NR.typicalStatus()).hasValue(404);
    assertThat(ResponseFlag.RL.typicalStatus()).hasValue(429);
    assertThat(ResponseFlag.DPE.typicalStatus()).hasValue(400);
    assertThat(ResponseFlag.FI.typicalStatus()).isEmpty();
  }

  @Test
  void printsInEnvoysOrderWhateverTheInsertionOrder() {
    assertThat(ResponseFlags.of(ResponseFlag.URX, ResponseFlag.UF)).hasToString("UF,URX");
    assertThat(ResponseFlags.of(ResponseFlag.UF, ResponseFlag.URX)).hasToString("UF,URX");
    assertThat(ResponseFlags.NONE).hasToString("-");
    assertThat(ResponseFlags.of(ResponseFlag.UF, ResponseFlag.URX).toLongString())
        .isEqualTo("UpstreamConnectionFailure,UpstreamRetryLimitExceeded");
  }

  @Test
  void parsesEnvoysTextBack() {
    assertThat(ResponseFlags.parse("-")).isEqualTo(ResponseFlags.NONE);
    assertThat(ResponseFlags.parse("")).isEqualTo(ResponseFlags.NONE);
    assertThat(ResponseFlags.parse("URX,UF")).isEqualTo(ResponseFlags.of(ResponseFlag.UF, ResponseFlag.URX));
    assertThat(ResponseFlags.parse(" uf , UpstreamRetryLimitExceeded ").flags())
        .containsExactly(ResponseFlag.UF, ResponseFlag.URX);
    for (ResponseFlag flag : ResponseFlag.values()) {
      assertThat(ResponseFlags.parse(flag.code()).flags()).containsExactly(flag);
      assertThat(ResponseFlags.parse(flag.longName()).flags()).containsExactly(flag);
    }
  }

  @Test
  void unknownCodesAreRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> ResponseFlags.parse("UF,XX"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("response flags: XX in \"UF,XX\" is not a response flag (expected: \"-\" or one "
            + "or more of UH, UT, LR, UR, UF, UC, UO, NR");
  }

  @Test
  void setsAreValuesAndSharedWhenSmall() {
    assertThat(ResponseFlags.of(ResponseFlag.UF)).isSameAs(ResponseFlags.NONE.with(ResponseFlag.UF));
    assertThat(ResponseFlags.of(ResponseFlag.UF).with(ResponseFlag.UF)).isSameAs(ResponseFlags.of(ResponseFlag.UF));
    assertThat(ResponseFlags.of(ResponseFlag.UF).with(ResponseFlags.of(ResponseFlag.URX)))
        .isEqualTo(ResponseFlags.parse("UF,URX"))
        .hasSameHashCodeAs(ResponseFlags.parse("URX,UF"));
    assertThat(ResponseFlags.of(ResponseFlag.UF).contains(ResponseFlag.UF)).isTrue();
    assertThat(ResponseFlags.of(ResponseFlag.UF).contains(ResponseFlag.UR)).isFalse();
    assertThat(ResponseFlags.NONE.isEmpty()).isTrue();
  }

  @Test
  void headerNamesAreTheProfiles() {
    assertThat(ResponseFlags.HEADER).isEqualTo("x-meshfed-flags");
    assertThat(ResponseFlags.DETAILS_HEADER).isEqualTo("x-meshfed-details");
  }
}
