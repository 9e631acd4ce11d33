package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * EndpointSlice churn takes the builder's fast path (the next snapshot shares everything else with the previous
 * one), and every snapshot it gives equals what a full build of the same documents gives.
 */
class SnapshotBuilderEndpointSliceTest {

  private static final Origin CLUSTER = Origin.of("cluster east");
  private static final String DESTINATION_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: default}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v3, labels: {version: v3}}
      """;

  private static final String SLICE_YAML = """
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: reviews-abc, namespace: default, labels: {kubernetes.io/service-name: reviews}}
      addressType: IPv4
      ports: [{name: http, port: 9080}]
      endpoints: %s
      """;

  private final SnapshotBuilder builder = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT));
  private final Map<String, RawResource> kubernetes = new LinkedHashMap<>();
  // One instance throughout, as a source hands out the same document while it is unchanged.
  private final SourceContents files = Snapshots.contents("dr.yaml", DESTINATION_RULE);

  @Test
  void replacedSlicesShareEverythingElseWithThePreviousSnapshot() {
    ConfigSnapshot first = baseline();
    put("slice-a", slice("reviews-abc", "reviews", "10.0.0.1", "10.0.0.2"));

    ConfigSnapshot second = build(first);
    assertThat(second.services()).isSameAs(first.services());
    assertThat(second.workloads()).isSameAs(first.workloads());
    assertThat(second.destinationRuleIndex()).isSameAs(first.destinationRuleIndex());
    assertThat(second.version()).isEqualTo(first.version() + 1);
    assertSameAsFullBuild(second, first);

    // A new slice is a new object: everything is read again; then its replacements take the fast path too.
    put("slice-b", slice("reviews-def", "reviews", "10.0.0.3"));
    ConfigSnapshot third = build(second);
    assertThat(third.endpointSlices()).extracting(s -> s.getMetadata().getName())
        .containsExactly("reviews-abc", "reviews-def");
    assertSameAsFullBuild(third, second);
    ConfigSnapshot fourth = third;
    for (int i = 4; i < 10; i++) {
      put(i % 2 == 0 ? "slice-a" : "slice-b", slice(i % 2 == 0 ? "reviews-abc" : "reviews-def", "reviews",
          "10.0.1." + i));
      ConfigSnapshot before = fourth;
      fourth = build(fourth);
      assertThat(fourth.services()).isSameAs(third.services());
      assertSameAsFullBuild(fourth, before);
    }
  }

  @Test
  void manyReplacedSlicesStayCorrectAcrossTheOverlayFold() {
    ConfigSnapshot snapshot = baseline();
    for (int i = 0; i < 1_200; i++) {
      put("slice-" + i, slice("reviews-" + i, "reviews", "10.1.0.1"));
    }
    snapshot = build(snapshot);
    ConfigSnapshot base = snapshot;
    ConfigSnapshot before = snapshot;
    // Batches of 100 replaced slices: the derived snapshots hold more replacements than they keep beside the map.
    for (int round = 0; round < 12; round++) {
      for (int i = round * 100; i < (round + 1) * 100; i++) {
        put("slice-" + i, slice("reviews-" + i, "reviews", "10.2.0." + (round + 1)));
      }
      before = snapshot;
      snapshot = build(snapshot);
      assertThat(snapshot.services()).isSameAs(base.services());
    }
    assertSameAsFullBuild(snapshot, before);
  }

  @Test
  void anythingButCleanSliceReplacementsReadsEverythingAgain() {
    ConfigSnapshot first = baseline();

    // A removed slice.
    kubernetes.remove("slice-a");
    ConfigSnapshot removed = build(first);
    assertThat(removed.services()).isNotSameAs(first.services());
    assertThat(removed.endpointSlices()).isEmpty();
    assertSameAsFullBuild(removed, first);

    // A slice and a Service replaced in place together: the slice is checked first, then the Service ends the path.
    put("slice-a", slice("reviews-abc", "reviews", "10.0.0.1"));
    ConfigSnapshot added = build(removed);
    put("slice-a", slice("reviews-abc", "reviews", "10.0.0.5"));
    put("service", service("reviews", "v9"));
    ConfigSnapshot both = build(added);
    assertThat(both.services()).isNotSameAs(added.services());
    assertThat(both.services().get(0).getSpec().getSelector()).containsEntry("app", "v9");
    assertSameAsFullBuild(both, added);

    // Unchanged objects listed in another order.
    Map<String, RawResource> reordered = new LinkedHashMap<>();
    reordered.put("pod", kubernetes.get("pod"));
    kubernetes.forEach(reordered::putIfAbsent);
    kubernetes.clear();
    kubernetes.putAll(reordered);
    ConfigSnapshot moved = build(both);
    assertThat(moved.services()).isNotSameAs(both.services());
    assertSameAsFullBuild(moved, both);
  }

  @Test
  void aRejectedSliceKeepsItsLastGoodVersionServing() throws Exception {
    ConfigSnapshot first = baseline();
    kubernetes.put("slice-a", document(SLICE_YAML.formatted("[{addresses: [10.0.0.1]}]")));
    ConfigSnapshot good = build(first);
    ResourceKey key = new ResourceKey("EndpointSlice", "default", "reviews-abc");

    kubernetes.put("slice-a", document(SLICE_YAML.formatted("5")));
    ConfigSnapshot rejected = build(good);

    assertThat(rejected.errors()).singleElement().satisfies(m -> {
      assertThat(m.text()).startsWith("EndpointSlice default/reviews-abc");
      assertThat(m.detail()).contains("the last good version keeps serving");
    });
    assertThat(rejected.kubernetes(key)).containsSame(good.kubernetes(key).orElseThrow());
    assertSameAsFullBuild(rejected, good);
  }

  private ConfigSnapshot baseline() {
    put("service", service("reviews", "reviews"));
    put("pod", new PodBuilder().withNewMetadata().withName("reviews-v1-x").withNamespace("default")
        .withLabels(Map.of("app", "reviews", "version", "v1")).endMetadata().withNewStatus().withPodIP("10.0.0.1")
        .withPhase("Running").endStatus().build());
    put("slice-a", slice("reviews-abc", "reviews", "10.0.0.1"));
    ConfigSnapshot first = build(ConfigSnapshot.empty(MeshSettings.DEFAULT));
    assertThat(first.endpointSlices()).hasSize(1);
    return first;
  }

  private ConfigSnapshot build(ConfigSnapshot previous) {
    return builder.build(sources(), previous);
  }

  /** A fresh builder reading the same documents after {@code previous} gives the same snapshot. */
  private void assertSameAsFullBuild(ConfigSnapshot derived, ConfigSnapshot previous) {
    ConfigSnapshot full = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT)).build(sources(), previous);
    assertThat(derived.endpointSlices()).containsExactlyElementsOf(full.endpointSlices());
    assertThat(derived.services()).containsExactlyElementsOf(full.services());
    assertThat(derived.pods()).containsExactlyElementsOf(full.pods());
    assertThat(derived.allConfig()).extracting(ConfigResource::key)
        .containsExactlyElementsOf(full.allConfig().stream().map(ConfigResource::key).toList());
    assertThat(derived.messages()).containsExactlyInAnyOrderElementsOf(full.messages());
    assertThat(derived.version()).isEqualTo(full.version());
    for (EndpointSlice slice : full.endpointSlices()) {
      ResourceKey key = new ResourceKey("EndpointSlice", slice.getMetadata().getNamespace(),
          slice.getMetadata().getName());
      assertThat(derived.kubernetes(key).orElseThrow()).isEqualTo(slice);
      assertThat(derived.origin(key)).isEqualTo(full.origin(key));
    }
  }

  private static RawResource document(String yaml) throws Exception {
    return RawResource.document(YamlDocuments.read("slice.yaml", yaml).get(0).root(), Origin.of("slice.yaml"));
  }

  private List<SourceContents> sources() {
    List<RawResource> objects = new ArrayList<>(kubernetes.values());
    return List.of(new SourceContents("kubernetes", objects, List.of()), files);
  }

  private void put(String id, HasMetadata object) {
    kubernetes.put(id, RawResource.object(object, CLUSTER));
  }

  private static io.fabric8.kubernetes.api.model.Service service(String name, String app) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withNewSpec().withSelector(Map.of("app", app)).addNewPort().withName("http").withPort(9080).endPort()
        .endSpec().build();
  }

  private static EndpointSlice slice(String name, String service, String... ips) {
    EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name)
        .withNamespace("default").withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
        .withAddressType("IPv4").addNewPort().withName("http").withPort(9080).endPort();
    for (String ip : ips) {
      slice.addToEndpoints(new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(true)
          .endConditions().build());
    }
    return slice.build();
  }
}
