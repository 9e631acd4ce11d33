package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.it.kube.MockKubernetesCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesConfigSourceTest {

  private static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService").withPlural("virtualservices")
      .withNamespaced(true).build();
  private static final ResourceDefinitionContext SERVICE_EXPORTS = new ResourceDefinitionContext.Builder()
      .withGroup("multicluster.x-k8s.io").withVersion("v1alpha1").withKind("ServiceExport")
      .withPlural("serviceexports").withNamespaced(true).build();

  private final MockKubernetesCluster cluster = MockKubernetesCluster.start("east");
  private final KubernetesClient client = cluster.client();
  private ConfigStore store;

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    cluster.close();
  }

  private static GenericKubernetesResource virtualService(int weight) {
    return Serialization.unmarshal("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http: [{route: [{destination: {host: reviews, subset: v1}, weight: %d}]}]
        """.formatted(weight), GenericKubernetesResource.class);
  }

  @Test
  void informersFeedTheSameParserAndInvalidUpdatesKeepTheLastGoodVersion() throws Exception {
    createReviewsService();
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("reviews-v1")
        .addToLabels("app", "reviews").addToLabels("version", "v1").endMetadata().build()).create();
    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("default").resource(virtualService(100)).create();
    client.genericKubernetesResources(SERVICE_EXPORTS).inNamespace("default").resource(Serialization.unmarshal("""
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: reviews, namespace: default}
        """, GenericKubernetesResource.class)).create();

    SnapshotQueue published = new SnapshotQueue();
    store = ConfigStore.builder().debounce(Duration.ofMillis(20))
        .source(KubernetesConfigSource.builder(cluster.newClient()).clusterName("east").build()).build();
    store.subscribe(published::add);
    store.start();

    ConfigSnapshot first = published.await(s -> s.virtualServices().size() == 1);
    assertThat(first.services()).extracting(s -> s.getMetadata().getName()).containsExactly("reviews");
    assertThat(first.pods()).hasSize(1);
    assertThat(first.serviceExports()).extracting(e -> e.meta().name()).containsExactly("reviews");
    assertThat(first.virtualServices().get(0).meta().origin()).isEqualTo(Origin.of("cluster east"));
    assertThat(first.virtualServices().get(0).meta().resourceVersion()).isNotEmpty();
    assertThat(first.messages()).isEmpty();

    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("default").resource(virtualService(-1)).update();
    ConfigSnapshot invalid = published.await(s -> !s.errors().isEmpty());
    assertThat(invalid.virtualServices().get(0).http().get(0).route().get(0).weight()).isEqualTo(100);
    assertThat(invalid.errors().get(0).toString())
        .contains("VirtualService default/reviews cluster east", "spec.http[0].route[0].weight: -1");

    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("default").withName("reviews").delete();
    ConfigSnapshot deleted = published.await(s -> s.virtualServices().isEmpty());
    assertThat(deleted.errors()).isEmpty();
  }

  @Test
  void anEndpointSliceUpdateFromTheInformersIsDerivedFromThePreviousSnapshot() throws Exception {
    createReviewsService();
    for (String name : List.of("reviews-a", "reviews-b", "reviews-c")) {
      client.discovery().v1().endpointSlices().inNamespace("default").resource(slice(name, "10.0.0.1")).create();
    }
    SnapshotQueue published = new SnapshotQueue();
    store = ConfigStore.builder().debounce(Duration.ofMillis(20))
        .source(KubernetesConfigSource.builder(cluster.newClient()).clusterName("east").build()).build();
    store.subscribe(published::add);
    store.start();
    ConfigSnapshot first = published.await(s -> s.endpointSlices().size() == 3);

    client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("reviews-b", "10.0.0.2"))
        .update();
    ConfigSnapshot next = published.await(s -> s.endpointSlices().stream().anyMatch(
        slice -> slice.getEndpoints().get(0).getAddresses().contains("10.0.0.2")));

    // The informer replaced the one object in place: the builder's fast path shares the rest.
    assertThat(next.services()).isSameAs(first.services());
    assertThat(next.endpointSlices()).extracting(slice -> slice.getMetadata().getName())
        .containsExactlyElementsOf(first.endpointSlices().stream().map(slice -> slice.getMetadata().getName())
            .toList());
  }

  private void createReviewsService() {
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("reviews")
        .endMetadata().withNewSpec().withSelector(java.util.Map.of("app", "reviews")).addNewPort().withName("http")
        .withPort(9080).endPort().endSpec().build()).create();
  }

  private static EndpointSlice slice(String name, String ip) {
    return new EndpointSliceBuilder().withNewMetadata().withName(name)
        .withNamespace("default").addToLabels("kubernetes.io/service-name", "reviews").endMetadata()
        .withAddressType("IPv4").addNewPort().withName("http").withPort(9080).endPort()
        .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint().build();
  }

  @Test
  void oneShotListingReadsTheSameKinds() {
    client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("default").resource(virtualService(100)).create();
    SourceContents contents = KubernetesConfigSource.list(client, "east", "v1", "v1");
    ConfigSnapshot snapshot = new SnapshotBuilder(new io.meshfed.control.plane.istio.ResourceParser(
        io.meshfed.control.plane.istio.MeshSettings.DEFAULT)).build(java.util.List.of(contents),
        ConfigSnapshot.empty(io.meshfed.control.plane.istio.MeshSettings.DEFAULT));
    assertThat(snapshot.virtualServices()).hasSize(1);
  }
}
