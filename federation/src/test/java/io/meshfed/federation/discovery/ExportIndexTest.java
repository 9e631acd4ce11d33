package io.meshfed.federation.discovery;

import static io.meshfed.federation.discovery.KubeObjects.export;
import static io.meshfed.federation.discovery.KubeObjects.genericExport;
import static io.meshfed.federation.discovery.KubeObjects.namespace;
import static io.meshfed.federation.discovery.KubeObjects.pod;
import static io.meshfed.federation.discovery.KubeObjects.service;
import static io.meshfed.federation.discovery.KubeObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServiceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExportIndexTest {

  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");

  private final List<String> emitted = new ArrayList<>();
  private final List<ExportedService> lastExported = new ArrayList<>();
  private final ExportSink sink = new ExportSink() {
    @Override
    public void exported(ExportedService service) {
      emitted.add("+" + service.key());
      lastExported.add(service);
    }

    @Override
    public void withdrawn(ServiceKey key) {
      emitted.add("-" + key);
    }
  };

  private ExportIndex index(ExportSettings settings) {
    return new ExportIndex("east", settings, sink);
  }

  private static List<HasMetadata> bookinfoReviews() {
    return List.of(
        service("default", "reviews", 9080),
        export("default", "reviews"),
        pod("default", "reviews-v1-a", Map.of("app", "reviews", "version", "v1")),
        pod("default", "reviews-v2-b", Map.of("app", "reviews", "version", "v2",
            ExportTranslator.ISTIO_SUBZONE, "rack-7")),
        slice("default", "reviews", "reviews-abc", 9080, "eu-west-1a",
            "10.1.0.2/reviews-v2-b/true/true/false", "10.1.0.1/reviews-v1-a/true/true/false"));
  }

  @Test
  void aServiceIsExportedOnlyWhileItsServiceExportExists() {
    ExportIndex index = index(ExportSettings.flat());
    index.upsert(service("default", "reviews", 9080));
    assertThat(emitted).isEmpty();

    index.upsert(export("default", "reviews"));
    assertThat(emitted).containsExactly("+default/reviews");

    index.delete(export("default", "reviews"));
    assertThat(emitted).containsExactly("+default/reviews", "-default/reviews");
    assertThat(index.exported()).isEmpty();
  }

  @Test
  void everyServiceIndexesServicesWithoutServiceExportButNotExternalName() {
    ExportIndex index = ExportIndex.everyService("east", ExportSettings.flat(), sink);
    index.upsert(service("default", "reviews", 9080));
    index.upsert(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext").endMetadata()
        .withNewSpec().withType("ExternalName").withExternalName("example.com").endSpec().build());
    assertThat(emitted).containsExactly("+default/reviews");

    index.upsert(slice("default", "reviews", "reviews-abc", 9080, "", "10.1.0.1/reviews-v1-a/true/true/false"));
    assertThat(index.exported().get(REVIEWS).endpoints()).extracting(Endpoint::address).containsExactly("10.1.0.1");

    index.delete(service("default", "reviews", 9080));
    assertThat(emitted).containsExactly("+default/reviews", "+default/reviews", "-default/reviews");
  }

  @Test
  void endpointsCarryPodLabelsLocalityAndHealthFromSliceConditions() {
    ExportIndex index = index(ExportSettings.flat().withLocality(Locality.of("eu-west-1", "", "")));
    index.replaceAll(bookinfoReviews());
    index.upsert(slice("default", "reviews", "reviews-def", 9080, "eu-west-1b",
        "10.1.0.3/reviews-v1-c/false/true/true", "10.1.0.4/reviews-v1-d/false/false/false"));

    ExportedService reviews = index.exported().get(REVIEWS);
    assertThat(reviews.reach()).isEqualTo(Reach.ENDPOINTS);
    assertThat(reviews.ports()).singleElement().satisfies(p -> {
      assertThat(p.port()).isEqualTo(9080);
      assertThat(p.appProtocol()).isEqualTo("http");
    });
    assertThat(reviews.endpoints()).extracting(Endpoint::address)
        .containsExactly("10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4");
    assertThat(reviews.endpoints()).extracting(Endpoint::health).containsExactly(
        EndpointHealth.HEALTHY, EndpointHealth.HEALTHY, EndpointHealth.DRAINING, EndpointHealth.UNHEALTHY);
    Endpoint v2 = reviews.endpoints().get(1);
    assertThat(v2.labels()).containsEntry("version", "v2");
    assertThat(v2.locality()).isEqualTo(Locality.of("eu-west-1", "eu-west-1a", "rack-7"));
    assertThat(v2.ports()).containsEntry("http", 9080);
    assertThat(reviews.healthyEndpoints()).isEqualTo(2);
  }

  @Test
  void aPodLabelChangeReachesTheServicesWhoseSlicesReferenceIt() {
    ExportIndex index = index(ExportSettings.flat());
    index.replaceAll(bookinfoReviews());
    emitted.clear();

    index.upsert(pod("default", "reviews-v1-a", Map.of("app", "reviews", "version", "v1", "canary", "true")));

    assertThat(emitted).containsExactly("+default/reviews");
    assertThat(index.exported().get(REVIEWS).endpoints().get(0).labels()).containsEntry("canary", "true");
    index.upsert(pod("default", "unrelated", Map.of("app", "x")));
    assertThat(emitted).hasSize(1);
  }

  @Test
  void multiNetworkExportsPointAtTheGatewayWithTheHealthyCount() {
    ExportIndex index = index(ExportSettings.viaGateway());
    index.replaceAll(bookinfoReviews());

    ExportedService reviews = index.exported().get(REVIEWS);
    assertThat(reviews.reach()).isEqualTo(Reach.GATEWAY);
    assertThat(reviews.endpoints()).isEmpty();
    assertThat(reviews.healthyEndpoints()).isEqualTo(2);
    emitted.clear();
    // An endpoint change that leaves the healthy count as it was moves nothing.
    index.upsert(pod("default", "reviews-v1-a", Map.of("app", "reviews", "version", "v9")));
    assertThat(emitted).isEmpty();
  }

  @Test
  void replacingWithTheSameObjectsEmitsNothingAndWithFewerWithdraws() {
    ExportIndex index = index(ExportSettings.flat());
    index.replaceAll(bookinfoReviews());
    emitted.clear();

    index.replaceAll(bookinfoReviews());
    assertThat(emitted).isEmpty();

    index.replaceAll(List.of(service("default", "reviews", 9080)));
    assertThat(emitted).containsExactly("-default/reviews");
  }

  @Test
  void serviceExportsParsedWithoutTheirTypeCountToo() {
    ExportIndex index = index(ExportSettings.flat());
    index.replaceAll(List.of(service("default", "ratings", 9080), genericExport("default", "ratings")));
    assertThat(index.exported()).containsKey(ServiceKey.of("default", "ratings"));
  }

  @Test
  void externalNameServicesAreNeverExported() {
    ExportIndex index = index(ExportSettings.flat());
    index.replaceAll(List.of(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext")
        .endMetadata().withNewSpec().withType("ExternalName").withExternalName("example.com").endSpec().build(),
        export("default", "ext")));
    assertThat(index.exported()).isEmpty();
  }

  @Test
  void discoverySelectorsLimitExportsToSelectedNamespaces() {
    ExportIndex index = index(ExportSettings.flat().withNamespaceSelector(Map.of("mesh", "on")));
    List<HasMetadata> objects = new ArrayList<>(bookinfoReviews());
    objects.add(namespace("default", Map.of()));
    index.replaceAll(objects);
    assertThat(index.exported()).isEmpty();

    index.upsert(namespace("default", Map.of("mesh", "on")));
    assertThat(index.exported()).containsKey(REVIEWS);
  }

  @Test
  void aMalformedObjectIsSkippedAndTheRestStillWorks() {
    ExportIndex index = index(ExportSettings.flat());
    List<HasMetadata> objects = new ArrayList<>(bookinfoReviews());
    objects.add(service("default", "Not_A_Name", 80));
    index.replaceAll(objects);
    assertThat(index.exported()).containsOnlyKeys(REVIEWS);
  }

  /**
   * A bulk load recomputed through tasks on other threads (results taken in key order) emits exactly what one thread
   * emits, in the same order, a pod of another namespace included.
   */
  @Test
  void aBulkLoadRecomputedOnOtherThreadsEmitsWhatOneThreadEmits() {
    List<HasMetadata> objects = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String ns = "ns-" + i % 7;
      String name = "svc-" + i;
      objects.add(service(ns, name, 8080));
      objects.add(pod(ns, name + "-a", Map.of("app", name, "version", "v" + i % 3)));
      objects.add(pod("shared", name + "-b", Map.of("app", name)));
      EndpointSlice slice = slice(ns, name, name + "-abc", 8080, "zone-" + i % 2,
          "10.2." + i + ".1/" + name + "-a/true/true/false", "10.3." + i + ".1/" + name + "-b/" + (i % 5 != 0)
              + "/true/false");
      slice.getEndpoints().get(1).getTargetRef().setNamespace("shared");
      objects.add(slice);
    }
    OrderedTasks parallel = new OrderedTasks() {
      @Override
      public <T> List<T> map(int n, IntFunction<T> task) {
        return IntStream.range(0, n).parallel().mapToObj(task).toList();
      }
    };
    ExportIndex sequential = ExportIndex.everyService("east", ExportSettings.flat(), sink);
    sequential.replaceAll(objects);
    List<String> sequentialEmitted = List.copyOf(emitted);
    List<ExportedService> sequentialExported = List.copyOf(lastExported);
    emitted.clear();
    lastExported.clear();

    ExportIndex other = ExportIndex.everyService("east", ExportSettings.flat(), sink, parallel);
    other.replaceAll(objects);
    assertThat(emitted).hasSize(200).isEqualTo(sequentialEmitted);
    assertThat(lastExported).isEqualTo(sequentialExported);
    assertThat(other.exported()).isEqualTo(sequential.exported());
    assertThat(other.exported().get(ServiceKey.of("ns-1", "svc-8")).endpoints()).extracting(Endpoint::labels)
        .contains(Map.of("app", "svc-8"));
  }
}
