package io.meshfed.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.InvalidSpiffeIdException.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdTest {

  @Test
  void parsesAndFormatsIstioIdentities() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews");
    assertThat(id.trustDomain()).isEqualTo(TrustDomain.of("cluster.local"));
    assertThat(id.namespace()).isEqualTo("bookinfo");
    assertThat(id.serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(id).hasToString("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews");
    assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
    assertThat(SpiffeId.of("cluster.local", "bookinfo", "bookinfo-reviews")).isEqualTo(id);
  }

  @Test
  void acceptsUnderscoresAndDotsWhereTheSpecAllows() {
    assertThat(SpiffeId.parse("spiffe://east_1.example-mesh.io/ns/a-b/sa/svc.account").serviceAccount())
        .isEqualTo("svc.account");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "''                                              | WHOLE           | empty",
      "http://cluster.local/ns/default/sa/default      | SCHEME          | scheme http",
      "SPIFFE://cluster.local/ns/default/sa/default    | SCHEME          | scheme SPIFFE",
      "cluster.local/ns/default/sa/default             | SCHEME          | scheme (none)",
      "spiffe:///ns/default/sa/default                 | TRUST_DOMAIN    | trust domain \"\"",
      "spiffe://Cluster.local/ns/default/sa/default    | TRUST_DOMAIN    | has 'C' at index 0",
      "spiffe://cluster.local:8443/ns/default/sa/x     | TRUST_DOMAIN    | has a port",
      "spiffe://user@cluster.local/ns/default/sa/x     | TRUST_DOMAIN    | has user info",
      "spiffe://cluster.local                          | PATH            | expected: /ns/<namespace>/sa/<service-account>",
      "spiffe://cluster.local/ns/default               | PATH            | path \"/ns/default\"",
      "spiffe://cluster.local/sa/default/ns/default    | PATH            | path \"/sa/default/ns/default\"",
      "spiffe://cluster.local/ns/default/sa/x/extra    | PATH            | path",
      "spiffe://cluster.local/ns/default/sa/x?y=1      | PATH            | query or fragment",
      "spiffe://cluster.local/ns//sa/default           | NAMESPACE       | namespace \"\"",
      "spiffe://cluster.local/ns/Default/sa/default    | NAMESPACE       | DNS-1123 label",
      "spiffe://cluster.local/ns/-bad/sa/default       | NAMESPACE       | DNS-1123 label",
      "spiffe://cluster.local/ns/default/sa/           | SERVICE_ACCOUNT | service account \"\"",
      "spiffe://cluster.local/ns/default/sa/Bad_Name   | SERVICE_ACCOUNT | DNS-1123 subdomain",
  })
  void rejectsEachBadPartNamingIt(String input, Part part, String message) {
    assertThatThrownBy(() -> SpiffeId.parse(input))
        .isInstanceOfSatisfying(InvalidSpiffeIdException.class, e -> {
          assertThat(e.part()).isEqualTo(part);
          assertThat(e.input()).isEqualTo(input);
        })
        .hasMessageContaining(message)
        .hasMessageStartingWith("SPIFFE ID \"" + input + "\"");
  }

  @Test
  void rejectsOverlongIds() {
    String longSa = "a".repeat(2100);
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://td/ns/n/sa/" + longSa))
        .isInstanceOfSatisfying(InvalidSpiffeIdException.class, e -> assertThat(e.part()).isEqualTo(Part.WHOLE))
        .hasMessageContaining("at most 2048");
  }

  @Test
  void constructorChecksPartsToo() {
    assertThatThrownBy(() -> SpiffeId.of("cluster.local", "ns", "UPPER"))
        .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("service account \"UPPER\"");
    assertThatThrownBy(() -> SpiffeId.of("bad domain", "ns", "sa"))
        .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("trust domain");
  }

  @Test
  void movesBetweenTrustDomains() {
    SpiffeId id = SpiffeId.parse("spiffe://old.local/ns/a/sa/b");
    assertThat(id.inTrustDomain(TrustDomain.of("new.local"))).hasToString("spiffe://new.local/ns/a/sa/b");
  }
}
