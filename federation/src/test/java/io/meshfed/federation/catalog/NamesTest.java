package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamesTest {

  /** The rule {@link Names#isDnsLabel} writes out by hand. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** Every string of up to four characters over an alphabet with each kind of character, and the length limits. */
  @Test
  void theHandWrittenDnsLabelCheckAcceptsWhatTheRegexAccepts() {
    String alphabet = "az09-A_.";
    List<String> samples = new ArrayList<>(List.of("", "a".repeat(62), "a".repeat(63), "a".repeat(64),
        "a" + "-".repeat(61) + "b", "a" + "-".repeat(62) + "b", "-" + "a".repeat(62), "reviews", "ns-42", "svc-9999"));
    List<String> shorter = List.of("");
    for (int length = 1; length <= 4; length++) {
      List<String> longer = new ArrayList<>();
      for (String prefix : shorter) {
        for (char c : alphabet.toCharArray()) {
          longer.add(prefix + c);
        }
      }
      samples.addAll(longer);
      shorter = longer;
    }
    for (String sample : samples) {
      assertThat(Names.isDnsLabel(sample)).as("\"%s\"", sample).isEqualTo(DNS_LABEL.matcher(sample).matches());
    }
    assertThat(Names.isDnsLabel(null)).isFalse();
  }

  @Test
  void anInvalidServiceNameIsRejectedWithTheFieldAndTheRule() {
    assertThatThrownBy(() -> ServiceKey.of("default", "Not_A_Name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: Not_A_Name (expected: an RFC 1123 label: lower-case letters, digits and '-', at most 63 "
            + "characters)");
  }
}
