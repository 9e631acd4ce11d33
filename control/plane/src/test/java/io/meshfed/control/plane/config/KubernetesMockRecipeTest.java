package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.meshfed.it.kube.MockKubernetesCluster;
import io.vertx.core.Vertx;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dependency recipe on this machine: fabric8's mock API server in CRUD mode serves a watch to a client built
 * with the JDK HTTP client while Vert.x 5 is on the classpath.
 */
class KubernetesMockRecipeTest {

  private final MockKubernetesCluster cluster = MockKubernetesCluster.start("east");

  @AfterEach
  void stopApiServer() {
    cluster.close();
  }

  @Test
  void crudServerDeliversWatchEventsToJdkHttpClientBesideVertx5() throws Exception {
    assertThat(Vertx.class.getPackage().getImplementationVersion()).startsWith("5.");
    KubernetesClient client = cluster.newClient();
    assertThat(client.getHttpClient().getClass().getName()).startsWith("io.fabric8.kubernetes.client.jdkhttp.");

    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    try (client; var watch = client.configMaps().inNamespace("default").watch(new Watcher<ConfigMap>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        events.add(action + " " + resource.getMetadata().getName() + " " + resource.getData().get("mesh"));
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
          .withNewMetadata().withName("meshfed").endMetadata()
          .addToData("mesh", "mesh1")
          .build()).create();

      assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED meshfed mesh1");
      assertThat(client.configMaps().inNamespace("default").withName("meshfed").get().getData())
          .containsEntry("mesh", "mesh1");
    }
  }
}
