package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.EASTWEST;
import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Incremental translation: an endpoint change rebuilds only the affected load assignments and derives the next
 * snapshots from the previous ones, so every other resource keeps its version and the ADS server pushes a small
 * delta; anything else is a full translation that still keeps the versions of what did not change.
 */
class IncrementalTranslationTest {

  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  private static final String ROUTES = MeshFixture.EDGE_GATEWAY + """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop, namespace: default}
      spec:
        hosts: ["shop.example.com"]
        gateways: ["istio-system/edge"]
        http:
        - match: [{uri: {prefix: /reviews}}]
          route: [{destination: {host: reviews}}]
        - route: [{destination: {host: ratings}}]
      """;

  private static MeshFixture mesh() {
    return new MeshFixture().ingress().eastwest()
        .cluster("west", "net-west", Locality.of("us-west", "", ""), "127.0.2.100")
        .file("routes.yaml", ROUTES)
        .file("services.yaml", Kube.service("default", "reviews", "http:9080") + Kube.export("default", "reviews")
            + Kube.service("default", "ratings", "http:9080") + Kube.export("default", "ratings"))
        .file("reviews-endpoints.yaml", Kube.endpoints("default", "reviews", "http", 9080, "r-1/10.1.0.1/"))
        .file("ratings-endpoints.yaml", Kube.endpoints("default", "ratings", "http", 9080, "t-1/10.1.0.9/"));
  }

  /** name → version of every resource of every type of a group's snapshot. */
  private static Map<String, String> versions(Snapshot snapshot) {
    Map<String, String> out = new TreeMap<>();
    for (XdsResourceType type : XdsResourceType.values()) {
      for (VersionedResource r : snapshot.resources(type).values()) {
        out.put(type.shortName() + " " + r.name(), r.version());
      }
    }
    return out;
  }

  private static List<String> changed(Map<String, String> before, Map<String, String> after) {
    return after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).map(Map.Entry::getKey)
        .toList();
  }

  @Test
  void aLocalEndpointChangeRebuildsOnlyThatServicesLoadAssignments() {
    MeshFixture fx = mesh();
    Translation first = fx.translate();
    assertThat(first.stats().incremental()).isFalse();
    Map<String, String> ingressBefore = versions(fx.snapshot(INGRESS));
    Map<String, String> eastWestBefore = versions(fx.snapshot(EASTWEST));
    Snapshot ingressSnapshot = fx.snapshot(INGRESS);

    fx.file("reviews-endpoints.yaml", Kube.endpoints("default", "reviews", "http", 9080, "r-1/10.1.0.1/",
        "r-2/10.1.0.2/"));
    Translation second = fx.translate();

    assertThat(second.stats().incremental()).isTrue();
    assertThat(second.stats().changedResources()).isEqualTo(2);
    assertThat(second.changedGroups()).containsExactlyInAnyOrder(INGRESS, EASTWEST);
    assertThat(changed(ingressBefore, versions(fx.snapshot(INGRESS)))).containsExactly("EDS " + REVIEWS);
    assertThat(changed(eastWestBefore, versions(fx.snapshot(EASTWEST))))
        .containsExactly("EDS outbound_.9080_._.reviews.default.svc.cluster.local");
    for (XdsResourceType type : List.of(XdsResourceType.CLUSTER, XdsResourceType.LISTENER, XdsResourceType.ROUTE)) {
      assertThat(fx.snapshot(INGRESS).version(type)).isEqualTo(ingressSnapshot.version(type));
    }
    assertThat(fx.endpoints(INGRESS, REVIEWS).getEndpoints(0).getLbEndpointsCount()).isEqualTo(2);
  }

  @Test
  void anUnchangedViewChangesNothing() {
    MeshFixture fx = mesh();
    fx.translate();
    Snapshot before = fx.snapshot(INGRESS);
    Translation again = fx.translate();
    assertThat(again.stats().incremental()).isTrue();
    assertThat(again.stats().changedResources()).isZero();
    assertThat(again.changedGroups()).isEmpty();
    assertThat(fx.snapshot(INGRESS)).isSameAs(before);
  }

  @Test
  void aRemoteEndpointCountChangeIsIncrementalToo() {
    List<ServicePort> ports = List.of(new ServicePort("http", 9080, "TCP", ""));
    MeshFixture fx = mesh().export("west", "default", "ratings", ports, List.of(), Reach.GATEWAY, 2);
    fx.translate();
    Map<String, String> before = versions(fx.snapshot(INGRESS));

    fx.export("west", "default", "ratings", ports, List.of(), Reach.GATEWAY, 3);
    Translation next = fx.translate();
    assertThat(next.stats().incremental()).isTrue();
    assertThat(changed(before, versions(fx.snapshot(INGRESS))))
        .containsExactly("EDS outbound|9080||ratings.default.svc.cluster.local");
    assertThat(fx.endpoints(INGRESS, "outbound|9080||ratings.default.svc.cluster.local").toString())
        .contains("value: 3");
  }

  @Test
  void aConfigChangeIsAFullTranslationThatKeepsTheVersionsOfWhatDidNotChange() {
    MeshFixture fx = mesh();
    fx.translate();
    Map<String, String> before = versions(fx.snapshot(INGRESS));

    fx.file("routes.yaml", ROUTES.replace("prefix: /reviews", "prefix: /critiques"));
    Translation next = fx.translate();
    assertThat(next.stats().incremental()).isFalse();
    assertThat(changed(before, versions(fx.snapshot(INGRESS)))).containsExactly("RDS http.8080");
    assertThat(next.changedGroups()).containsExactly(INGRESS);
  }

  @Test
  void aNewServicePortIsAFullTranslation() {
    MeshFixture fx = mesh();
    fx.translate();
    fx.file("services.yaml", Kube.service("default", "reviews", "http:9080", "http-admin:9090")
        + Kube.export("default", "reviews") + Kube.service("default", "ratings", "http:9080")
        + Kube.export("default", "ratings"));
    Translation next = fx.translate();
    assertThat(next.stats().incremental()).isFalse();
    assertThat(fx.names(EASTWEST, XdsResourceType.CLUSTER))
        .contains("outbound_.9090_._.reviews.default.svc.cluster.local");
  }
}
