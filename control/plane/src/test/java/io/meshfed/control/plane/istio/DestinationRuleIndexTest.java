package io.meshfed.control.plane.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio's DestinationRule lookup: the namespace path, exact hosts over wildcards, visibility, merging. */
class DestinationRuleIndexTest {

  private static final String REVIEWS = "reviews.bookinfo.svc.cluster.local";

  private static DestinationRule rule(String name, String namespace, String host, String extra) {
    return rule(name, namespace, host, extra, 0);
  }

  /** @param age seconds after the first rule's creation (the oldest rule's policy wins a merge) */
  private static DestinationRule rule(String name, String namespace, String host, String extra, int age) {
    return Yaml.valid("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: %s, creationTimestamp: "2026-01-01T00:00:%02dZ"}
        spec:
          host: "%s"
        %s""".formatted(name, namespace, age, host, extra.indent(2)));
  }

  private static DestinationRuleIndex index(DestinationRule... rules) {
    return new DestinationRuleIndex(List.of(rules), MeshSettings.DEFAULT);
  }

  private static String found(DestinationRuleIndex index, String host, String client) {
    return index.lookup(host, client).map(m -> m.sources().get(0).meta().name()).orElse("none");
  }

  @Test
  void anExactHostWinsOverWildcardsAndTheLongestWildcardOverShorterOnes() {
    DestinationRuleIndex index = index(
        rule("any", "bookinfo", "*", ""),
        rule("namespace", "bookinfo", "*.bookinfo.svc.cluster.local", ""),
        rule("exact", "bookinfo", REVIEWS, ""));

    assertThat(found(index, REVIEWS, "bookinfo")).isEqualTo("exact");
    assertThat(found(index, "ratings.bookinfo.svc.cluster.local", "bookinfo")).isEqualTo("namespace");
    assertThat(found(index, "api.example.com", "bookinfo")).isEqualTo("any");
    assertThat(index.lookup(REVIEWS, "bookinfo").orElseThrow().host()).isEqualTo(REVIEWS);
    assertThat(index.lookup("details.bookinfo.svc.cluster.local", "bookinfo").orElseThrow().host())
        .isEqualTo("*.bookinfo.svc.cluster.local");
  }

  @Test
  void theClientsNamespaceComesFirstThenTheServicesThenTheRootNamespace() {
    DestinationRuleIndex index = index(
        rule("root", "istio-system", REVIEWS, ""),
        rule("service", "bookinfo", REVIEWS, ""),
        rule("client", "frontend", REVIEWS, ""));

    assertThat(found(index, REVIEWS, "frontend")).isEqualTo("client");
    assertThat(found(index, REVIEWS, "other")).isEqualTo("service");
    assertThat(found(index(rule("root", "istio-system", REVIEWS, "")), REVIEWS, "other")).isEqualTo("root");
    // A wildcard in an earlier namespace of the path wins over an exact host in a later one.
    assertThat(found(index(rule("wild", "frontend", "*.svc.cluster.local", ""),
        rule("service", "bookinfo", REVIEWS, "")), REVIEWS, "frontend")).isEqualTo("wild");
  }

  @Test
  void aRuleExportedToItsOwnNamespaceOnlyIsInvisibleFromOthers() {
    DestinationRuleIndex index = index(
        rule("private", "bookinfo", REVIEWS, "exportTo: [\".\"]"),
        rule("root", "istio-system", REVIEWS, ""));

    assertThat(found(index, REVIEWS, "bookinfo")).isEqualTo("private");
    assertThat(found(index, REVIEWS, "frontend")).isEqualTo("root");
  }

  @Test
  void aWildcardOfTheSameNamespaceStandsInForAnExactRuleTheClientCannotSee() {
    DestinationRuleIndex index = index(
        rule("private", "bookinfo", REVIEWS, "exportTo: [\".\"]"),
        rule("wild", "bookinfo", "*.bookinfo.svc.cluster.local", ""));

    assertThat(found(index, REVIEWS, "frontend")).isEqualTo("wild");
    assertThat(found(index, REVIEWS, "bookinfo")).isEqualTo("private");
  }

  @Test
  void aWildcardHostIsLookedUpByItselfThenByTheWildcardsCoveringIt() {
    DestinationRuleIndex index = index(
        rule("same", "egress", "*.example.com", ""),
        rule("wider", "egress", "*.com", ""));

    assertThat(found(index, "*.example.com", "egress")).isEqualTo("same");
    assertThat(found(index(rule("wider", "egress", "*.com", "")), "*.example.com", "egress")).isEqualTo("wider");
    assertThat(found(index(rule("narrower", "egress", "*.api.example.com", "")), "*.example.com", "egress"))
        .isEqualTo("none");
  }

  @Test
  void rulesForTheSameHostMergeTheOldestPolicyWinsAndSubsetsCombine() {
    DestinationRuleIndex index = index(
        rule("newer", "bookinfo", REVIEWS, """
            trafficPolicy: {loadBalancer: {simple: RANDOM}}
            subsets:
            - {name: v1, labels: {version: v1-newer}}
            - {name: v2, labels: {version: v2}}""", 30),
        rule("older", "bookinfo", REVIEWS, """
            trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
            subsets:
            - {name: v1, labels: {version: v1}}""", 10),
        rule("other-host", "bookinfo", "ratings.bookinfo.svc.cluster.local", ""));

    DestinationRuleIndex.Merged merged = index.lookup(REVIEWS, "bookinfo").orElseThrow();

    assertThat(merged.sources()).extracting(r -> r.meta().name()).containsExactly("older", "newer");
    assertThat(merged.subsets()).extracting(DestinationRule.Subset::name).containsExactly("v1", "v2");
    assertThat(merged.subset("v1").orElseThrow().labels()).containsEntry("version", "v1");
    assertThat(merged.trafficPolicy().orElseThrow().loadBalancer().orElseThrow().simple())
        .contains(DestinationRule.SimpleLb.LEAST_REQUEST);
  }

  @Test
  void noRuleOnThePathIsNone() {
    assertThat(index(rule("elsewhere", "other", REVIEWS, "")).lookup(REVIEWS, "frontend")).isEmpty();
  }
}
