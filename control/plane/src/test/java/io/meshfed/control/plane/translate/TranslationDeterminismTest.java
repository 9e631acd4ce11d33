package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.EASTWEST;
import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.xds.OrderedChunks;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The optimised paths (snapshots serialised in parallel batches, derived snapshots sharing maps, incremental
 * endpoint updates, load assignments written in wire form with their endpoints encoded once, the east-west
 * listeners and outbound routes spliced from filter chains and virtual hosts serialised apart) give exactly what a
 * straightforward rebuild gives: the same resources, bytes and versions.
 */
class TranslationDeterminismTest {

  /** Enough services that the east-west gateway's clusters and load assignments take the parallel path. */
  private static final int SERVICES = 150;
  /**
   * Enough local services that a fresh translator's discovery (every service's endpoints from its EndpointSlices and
   * Pods) also takes the parallel path.
   */
  private static final int MORE_SERVICES = 300;

  private static MeshFixture mesh() {
    return mesh(SERVICES);
  }

  private static MeshFixture mesh(int count) {
    StringBuilder services = new StringBuilder();
    StringBuilder routes = new StringBuilder(MeshFixture.EDGE_GATEWAY);
    MeshFixture fx = new MeshFixture().ingress().eastwest()
        .cluster("west", "net-west", Locality.of("us-west", "", ""), "127.0.2.100");
    for (int i = 0; i < count; i++) {
      String name = "svc-" + i;
      services.append(Kube.service("default", name, "http:9080")).append(Kube.export("default", name));
      routes.append("""
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: %1$s, namespace: default}
          spec:
            hosts: ["%1$s.example.com"]
            gateways: ["istio-system/edge"]
            http:
            - route: [{destination: {host: %1$s, subset: v1}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: %1$s, namespace: default}
          spec:
            host: %1$s
            subsets:
            - {name: v1, labels: {version: v1}}
          ---
          """.formatted(name));
      fx.file(name + "-endpoints.yaml", Kube.endpoints("default", name, "http", 9080,
          name + "-a/" + subnet(i) + ".1/version=v1", name + "-b/" + subnet(i) + ".2/version=v2"));
      // Also exported by the west cluster: the east-west outbound listener gets a passthrough chain per port and
      // subset.
      fx.export("west", "default", name, List.of(new ServicePort("http", 9080, "TCP", "")), List.of(), Reach.GATEWAY,
          1);
    }
    return fx.file("services.yaml", services.toString()).file("routes.yaml", routes.toString());
  }

  /** 10.1.0 to 10.1.255, then 10.2.0 and on. */
  private static String subnet(int service) {
    return "10." + (1 + service / 256) + "." + service % 256;
  }

  @Test
  void aFreshTranslatorGivesTheSnapshotsOfAStraightforwardOneByOneRebuild() {
    MeshFixture fx = mesh();
    Translation translation = fx.translate();
    assertThat(fx.snapshot(EASTWEST).resources(XdsResourceType.ENDPOINT).size()).isGreaterThan(256);

    for (String group : List.of(INGRESS, EASTWEST)) {
      Snapshot served = translation.snapshots().get(group);
      assertSameResources(served, oneByOne(served));
    }
  }

  /**
   * The parallel paths (a fresh translator's discovery of the local services, clusters and load assignments prebuilt
   * in chunks, the east-west gateway's inbound and outbound filter chains built in chunks) give what one thread
   * building them in order gives. Large batches are packed in chunks on both sides (Snapshot.Builder.packAll); the
   * one-by-one rebuild above checks that packing.
   */
  @Test
  void theParallelPathsGiveWhatTheSequentialPathGives() {
    MeshFixture fx = mesh(MORE_SERVICES);
    assertThat(OrderedChunks.DEFAULT.parallel(MORE_SERVICES)).as("discovery in parallel chunks").isTrue();
    Translation parallel = fx.translate();
    Translation sequential = MeshTranslator.create(OrderedChunks.SEQUENTIAL).translate(fx.view());
    // Both east-west listeners have more chains than a chunk holds, so they took the parallel path.
    assertThat(fx.snapshot(EASTWEST).resources(XdsResourceType.LISTENER)).hasSize(2);
    for (String listener : List.of("0.0.0.0_15443", "0.0.0.0_15001")) {
      assertThat(fx.listener(EASTWEST, listener).getFilterChainsCount()).as(listener).isGreaterThan(256);
    }
    assertThat(parallel.problems()).isEqualTo(sequential.problems());
    for (String group : List.of(INGRESS, EASTWEST)) {
      assertSameResources(parallel.snapshots().get(group), sequential.snapshots().get(group));
    }
  }

  @Test
  void anIncrementalUpdateGivesWhatAFreshFullTranslationGives() {
    MeshFixture fx = mesh();
    fx.translate();
    fx.file("svc-7-endpoints.yaml", Kube.endpoints("default", "svc-7", "http", 9080,
        "svc-7-a/10.1.7.1/version=v1", "svc-7-c/10.1.7.3/version=v1"));
    Translation incremental = fx.translate();
    assertThat(incremental.stats().incremental()).isTrue();
    assertThat(incremental.stats().changedResources()).isPositive();

    Translation fresh = MeshTranslator.create().translate(fx.view());
    assertThat(fresh.stats().incremental()).isFalse();
    for (String group : List.of(INGRESS, EASTWEST)) {
      assertSameResources(incremental.snapshots().get(group), fresh.snapshots().get(group));
    }
  }

  @Test
  void twoFullTranslationsOfTheSameViewGiveTheSameVersions() {
    MeshFixture fx = mesh();
    Translation first = MeshTranslator.create().translate(fx.view());
    Translation second = MeshTranslator.create().translate(fx.view());
    for (String group : List.of(INGRESS, EASTWEST)) {
      assertSameResources(first.snapshots().get(group), second.snapshots().get(group));
    }
  }

  /**
   * Load assignments are written in wire form directly (no messages): every shape of endpoint (sidecar mTLS
   * metadata, unhealthy and draining endpoints, full and partial localities, gateways weighted by endpoint count,
   * failover priorities, distributed locality weights) gives exactly the bytes protobuf's deterministic
   * serialisation gives for the same content.
   */
  @Test
  void loadAssignmentsWrittenDirectlyAreWhatProtobufWritesForEveryEndpointShape() {
    List<ServicePort> http = List.of(new ServicePort("http", 9080, "TCP", ""));
    Map<String, String> v1 = Map.of("app", "reviews", "version", "v1");
    Map<String, String> sidecar = Map.of("app", "reviews", "version", "v2", "security.istio.io/tlsMode", "istio");
    MeshFixture fx = new MeshFixture().ingress().eastwest()
        .view(b -> b.locality(Locality.of("us-east", "zone-a", "")))
        .cluster("west", "net-east", Locality.of("us-west", "zone-b", "rack-1"))
        .cluster("north", "net-north", Locality.of("eu-north", "", ""), "127.0.3.100:15443", "127.0.3.101:15443")
        .file("k8s.yaml", Kube.service("default", "reviews", "http:9080") + Kube.export("default", "reviews")
            + Kube.endpoints("default", "reviews", "http", 9080, "r1/10.1.0.2/version=v1",
                "r2/10.1.0.3/version=v2,security.istio.io/tlsMode=istio"))
        .export("west", "default", "reviews", http, List.of(
            new Endpoint("10.2.0.2", Map.of("http", 9080), Locality.of("us-west", "zone-b", "rack-1"), v1,
                EndpointHealth.UNHEALTHY),
            new Endpoint("10.2.0.3", Map.of("http", 9080), Locality.of("us-west", "", ""), sidecar,
                EndpointHealth.DRAINING),
            new Endpoint("10.2.0.4", Map.of("http", 9080), Locality.UNKNOWN, v1, EndpointHealth.HEALTHY)),
            Reach.ENDPOINTS, 1)
        .export("north", "default", "reviews", http, List.of(), Reach.GATEWAY, 7)
        .file("rules.yaml", MeshFixture.EDGE_GATEWAY + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: ["reviews.example.com"]
              gateways: ["istio-system/edge"]
              http:
              - route:
                - {destination: {host: reviews, subset: v1}, weight: 50}
                - {destination: {host: reviews, subset: v2}, weight: 50}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 3}
              subsets:
              - name: v1
                labels: {version: v1}
              - name: v2
                labels: {version: v2}
                trafficPolicy:
                  loadBalancer:
                    localityLbSetting:
                      distribute:
                      - from: "us-east/*"
                        to: {"us-east/*": 70, "us-west/*": 20, "eu-north/*": 10}
            """);
    Translation translation = fx.translate();
    // The east-west gateway's outbound and passthrough clusters of a service share their endpoints: encoded once,
    // as the first one's load assignment, and copied for the other.
    assertThat(translation.snapshots().get(EASTWEST).resources(XdsResourceType.ENDPOINT)).containsKeys(
        "outbound|9080||reviews.default.svc.cluster.local", "passthrough|9080||reviews.default.svc.cluster.local");

    for (String group : List.of(INGRESS, EASTWEST)) {
      Snapshot served = translation.snapshots().get(group);
      assertThat(served.resources(XdsResourceType.ENDPOINT)).isNotEmpty();
      assertSameResources(served, oneByOne(served));
    }
    ClusterLoadAssignment prioritized = fx.endpoints(INGRESS, "outbound|9080|v1|reviews.default.svc.cluster.local");
    ClusterLoadAssignment distributed = fx.endpoints(INGRESS, "outbound|9080|v2|reviews.default.svc.cluster.local");
    List<LbEndpoint> endpoints = java.util.stream.Stream.of(prioritized, distributed)
        .flatMap(a -> a.getEndpointsList().stream()).flatMap(l -> l.getLbEndpointsList().stream()).toList();
    assertThat(endpoints).extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .contains("10.1.0.2", "10.1.0.3", "10.2.0.2", "10.2.0.3", "10.2.0.4", "127.0.3.100", "127.0.3.101");
    assertThat(endpoints).extracting(LbEndpoint::getHealthStatus)
        .contains(HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, HealthStatus.DRAINING);
    assertThat(endpoints).filteredOn(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress()
        .startsWith("127.0.3.")).allSatisfy(e -> assertThat(e.getLoadBalancingWeight().getValue()).isEqualTo(7));
    assertThat(endpoints).filteredOn(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress()
        .equals("10.1.0.3")).singleElement().satisfies(e -> assertThat(e.getMetadata().getFilterMetadataMap())
            .containsKey("envoy.transport_socket_match"));
    assertThat(prioritized.getEndpointsList()).extracting(LocalityLbEndpoints::getPriority).contains(0, 1);
    assertThat(distributed.getEndpointsList()).extracting(l -> l.getLoadBalancingWeight().getValue())
        .contains(70, 20);
  }

  /** The same resources, rebuilt with {@link Snapshot.Builder#add} one at a time from their served bytes. */
  private static Snapshot oneByOne(Snapshot snapshot) {
    Snapshot.Builder builder = Snapshot.builder();
    for (XdsResourceType type : XdsResourceType.values()) {
      for (VersionedResource r : snapshot.resources(type).values()) {
        try {
          builder.add(type, type.unpack(r.resource()));
        } catch (InvalidProtocolBufferException e) {
          throw new AssertionError(type.shortName() + " " + r.name(), e);
        }
      }
    }
    return builder.build();
  }

  private static void assertSameResources(Snapshot actual, Snapshot expected) {
    for (XdsResourceType type : XdsResourceType.values()) {
      Map<String, VersionedResource> a = actual.resources(type);
      Map<String, VersionedResource> e = expected.resources(type);
      assertThat(a.keySet()).as(type.shortName() + " names").containsExactlyElementsOf(e.keySet());
      for (Map.Entry<String, VersionedResource> r : e.entrySet()) {
        VersionedResource got = a.get(r.getKey());
        assertThat(got.version()).as(type.shortName() + " " + r.getKey() + " version")
            .isEqualTo(r.getValue().version());
        assertThat(got.resource()).as(type.shortName() + " " + r.getKey() + " bytes").isEqualTo(r.getValue().resource());
      }
      assertThat(actual.version(type)).as(type.shortName() + " type version").isEqualTo(expected.version(type));
    }
  }
}
