package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.PeerAuthentication.MtlsMode;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.VirtualService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotBuilderTest {

  private static final String REVIEWS_VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, resourceVersion: "7"}
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: %s
          - destination: {host: reviews, subset: v2}
            weight: 10
      """;

  private final SnapshotBuilder builder = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT));

  private ConfigSnapshot next(ConfigSnapshot previous, String yaml) {
    return builder.build(List.of(Snapshots.contents("vs.yaml", yaml)), previous);
  }

  @Test
  void invalidUpdateKeepsTheLastGoodVersionServingAndSaysSo() {
    ConfigSnapshot first = next(ConfigSnapshot.empty(MeshSettings.DEFAULT), REVIEWS_VS.formatted(90));
    assertThat(first.version()).isEqualTo(1);
    assertThat(first.virtualServices()).hasSize(1);

    ConfigSnapshot second = next(first, REVIEWS_VS.formatted(-90));
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.virtualServices()).singleElement()
        .satisfies(vs -> assertThat(vs.http().get(0).route().get(0).weight()).isEqualTo(90));
    assertThat(second.errors()).singleElement().satisfies(m -> {
      assertThat(m.text()).startsWith("VirtualService default/reviews: spec.http[0].route[0].weight: -90");
      assertThat(m.detail()).contains("the last good version keeps serving (resourceVersion 7)");
    });

    ConfigSnapshot third = next(second, REVIEWS_VS.formatted(50));
    assertThat(third.errors()).isEmpty();
    assertThat(third.virtualServices().get(0).http().get(0).route().get(0).weight()).isEqualTo(50);
  }

  @Test
  void newInvalidObjectIsRejectedWhileTheRestIsPublished() {
    ConfigSnapshot snapshot = Snapshots.build(REVIEWS_VS.formatted(-1) + """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
        """);
    assertThat(snapshot.virtualServices()).isEmpty();
    assertThat(snapshot.destinationRules()).hasSize(1);
    assertThat(snapshot.errors()).extracting(Message::type).containsExactly(MessageType.INVALID_VALUE);
  }

  @Test
  void duplicateObjectKeepsTheFirstDefinition() {
    ConfigSnapshot snapshot = builder.build(List.of(Snapshots.contents("a.yaml", REVIEWS_VS.formatted(90)),
        Snapshots.contents("b.yaml", REVIEWS_VS.formatted(10))), ConfigSnapshot.empty(MeshSettings.DEFAULT));
    assertThat(snapshot.virtualServices().get(0).http().get(0).route().get(0).weight()).isEqualTo(90);
    assertThat(snapshot.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.DUPLICATE_OBJECT);
      assertThat(m.origin().source()).isEqualTo("b.yaml");
      assertThat(m.detail()).contains("a.yaml");
    });
  }

  @Test
  void meshVirtualServicesForOneHostConflictAndTheOldestWins() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-b, creationTimestamp: "2024-01-02T00:00:00Z"}
        spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-a, creationTimestamp: "2024-01-01T00:00:00Z"}
        spec: {hosts: [reviews.default.svc.cluster.local], http: [{route: [{destination: {host: reviews}}]}]}
        """);
    assertThat(snapshot.meshVirtualServices()).extracting(vs -> vs.meta().name()).containsExactly("reviews-a");
    assertThat(snapshot.errors()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.CONFLICTING_VIRTUAL_SERVICE);
      assertThat(m.resource()).contains(new ResourceKey("VirtualService", "default", "reviews-b"));
    });
  }

  @Test
  void gatewayBoundVirtualServicesForOneHostMerge() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: myapp-service1}
        spec:
          hosts: [myapp.com]
          gateways: [myapp-gateway]
          http: [{match: [{uri: {prefix: /service1}}], route: [{destination: {host: service1}}]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: myapp-service2}
        spec:
          hosts: [myapp.com]
          gateways: [myapp-gateway]
          http: [{match: [{uri: {prefix: /service2}}], route: [{destination: {host: service2}}]}]
        """);
    assertThat(snapshot.messages()).isEmpty();
    assertThat(snapshot.virtualServicesForGateway("default/myapp-gateway")).hasSize(2);
    assertThat(snapshot.meshVirtualServices()).isEmpty();
  }

  @Test
  void destinationRuleMergeKeepsTheFirstSubsetAndPolicy() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: a, creationTimestamp: "2024-01-01T00:00:00Z"}
        spec:
          host: reviews
          trafficPolicy: {loadBalancer: {simple: RANDOM}}
          subsets: [{name: v1, labels: {version: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: b, creationTimestamp: "2024-01-02T00:00:00Z"}
        spec:
          host: reviews
          trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
          subsets: [{name: v1, labels: {version: other}}, {name: v2, labels: {version: v2}}]
        """);
    assertThat(snapshot.messages()).extracting(Message::type).containsOnly(MessageType.CONFLICTING_DESTINATION_RULE)
        .hasSize(2);
    var merged = snapshot.destinationRuleIndex().lookup("reviews.default.svc.cluster.local", "default").orElseThrow();
    assertThat(merged.trafficPolicy().orElseThrow().loadBalancer().orElseThrow().simple())
        .contains(DestinationRule.SimpleLb.RANDOM);
    assertThat(merged.subsets()).extracting(DestinationRule.Subset::name).containsExactly("v1", "v2");
    assertThat(merged.subset("v1").orElseThrow().labels()).isEqualTo(Map.of("version", "v1"));
  }

  @Test
  void destinationRuleLookupFollowsClientThenServiceThenRootNamespace() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: in-root, namespace: istio-system}
        spec: {host: reviews.prod.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: in-client, namespace: frontend}
        spec: {host: reviews.prod.svc.cluster.local, exportTo: ["."], trafficPolicy: {tls: {mode: DISABLE}}}
        """);
    var index = snapshot.destinationRuleIndex();
    assertThat(index.lookup("reviews.prod.svc.cluster.local", "frontend").orElseThrow().sources())
        .extracting(dr -> dr.meta().name()).containsExactly("in-client");
    assertThat(index.lookup("reviews.prod.svc.cluster.local", "other").orElseThrow().sources())
        .extracting(dr -> dr.meta().name()).containsExactly("in-root");
  }

  @Test
  void peerAuthenticationPrecedenceWorkloadOverNamespaceOverMesh() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: legacy}
        spec: {mtls: {mode: PERMISSIVE}}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: httpbin, namespace: legacy}
        spec:
          selector: {matchLabels: {app: httpbin}}
          mtls: {mode: UNSET}
          portLevelMtls: {8080: {mode: DISABLE}}
        """);
    var index = snapshot.peerAuthenticationIndex();
    assertThat(index.effectiveMode("prod", Map.of("app", "x"), 80)).isEqualTo(MtlsMode.STRICT);
    assertThat(index.effectiveMode("legacy", Map.of("app", "x"), 80)).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(index.effectiveMode("legacy", Map.of("app", "httpbin"), 8080)).isEqualTo(MtlsMode.DISABLE);
    assertThat(index.effectiveMode("legacy", Map.of("app", "httpbin"), 9090)).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(Snapshots.build("kind: Namespace\napiVersion: v1\nmetadata: {name: x}\n").peerAuthenticationIndex()
        .effectiveMode("x", Map.of(), 80)).isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void authorizationPoliciesApplyFromRootNamespaceAndOwnNamespace() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-all-admin, namespace: istio-system}
        spec: {action: DENY, rules: [{to: [{operation: {paths: [/admin]}}]}]}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-get, namespace: foo}
        spec: {selector: {matchLabels: {app: httpbin}}, rules: [{to: [{operation: {methods: [GET]}}]}]}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: other-ns, namespace: bar}
        spec: {}
        """);
    var applicable = snapshot.authorizationIndex().forWorkload("foo", Map.of("app", "httpbin"));
    assertThat(applicable.deny()).extracting(p -> p.meta().name()).containsExactly("deny-all-admin");
    assertThat(applicable.allow()).extracting(p -> p.meta().name()).containsExactly("allow-get");
    assertThat(applicable.allowByDefault()).isFalse();
    assertThat(snapshot.authorizationIndex().forWorkload("foo", Map.of("app", "other")).allowByDefault()).isTrue();
  }

  @Test
  void subsetSelectingNoPodsIsAWarningNotARejection() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1}
        spec:
          selector: {matchLabels: {app: reviews, version: v1}}
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec: {containers: [{name: reviews, image: reviews}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v9, labels: {version: v9}}]}
        """);
    assertThat(snapshot.destinationRules()).hasSize(1);
    assertThat(snapshot.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.SUBSET_SELECTS_NO_PODS);
      assertThat(m.field()).isEqualTo("spec.subsets[1].labels");
    });
  }

  @Test
  void snapshotToStringCountsWithoutContents() {
    ConfigSnapshot snapshot = Snapshots.build("""
        apiVersion: v1
        kind: Secret
        metadata: {name: tls}
        stringData: {tls.key: very-secret-key}
        """);
    assertThat(snapshot.secrets()).hasSize(1);
    assertThat(snapshot.toString()).contains("Secret=1").doesNotContain("very-secret");
  }

  @Test
  void sameRawResourcesAreParsedOnce() {
    SourceContents contents = Snapshots.contents("vs.yaml", REVIEWS_VS.formatted(90));
    ConfigSnapshot first = builder.build(List.of(contents), ConfigSnapshot.empty(MeshSettings.DEFAULT));
    ConfigSnapshot second = builder.build(List.of(contents), first);
    VirtualService a = first.virtualServices().get(0);
    VirtualService b = second.virtualServices().get(0);
    assertThat(b).isSameAs(a);
  }
}
