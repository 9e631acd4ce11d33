package io.meshfed.control.plane.runtime;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.trust.TrustBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the mesh's trust roots where gateways read them: always {@code <dataDir>/root-cert.pem}, and on
 * Kubernetes ConfigMap {@code meshfed-ca-root-cert} (key {@code root-cert.pem}) in the system namespace, as istiod
 * publishes {@code istio-ca-root-cert}. Re-published when the bundle changes (checked every {@code interval} and on
 * demand); unchanged roots are not rewritten. File and API calls run on a worker.
 */
final class RootCertificatePublisher {

  static final String CONFIG_MAP = "meshfed-ca-root-cert";
  static final String KEY = "root-cert.pem";
  private static final Logger LOG = LoggerFactory.getLogger(RootCertificatePublisher.class);

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final Supplier<TrustBundle> bundle;
  private final Path file;
  private final KubernetesClient client;
  private final String namespace;
  // Only touched by ordered blocking tasks of one context, which run one after another.
  private String publishedFile;
  private String publishedMap;
  private long timer = -1;

  RootCertificatePublisher(Vertx vertx, Supplier<TrustBundle> bundle, Path dataDir, KubernetesClient client,
      String namespace) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.bundle = bundle;
    this.file = dataDir.resolve(KEY);
    this.client = client;
    this.namespace = namespace;
  }

  /** Publishes now (the start fails if that fails), then checks every {@code intervalMillis}. */
  Future<Void> start(long intervalMillis) {
    return publish().onSuccess(v -> timer = vertx.setPeriodic(intervalMillis, id -> publish()
        .onFailure(e -> LOG.warn("publishing the root certificate failed; retrying in {} ms: {}", intervalMillis,
            e.getMessage()))));
  }

  Future<Void> publish() {
    String pem = bundle.get().rootsPem();
    return context.executeBlocking(() -> {
      if (!pem.equals(publishedFile)) {
        Path temporary = file.resolveSibling(KEY + ".tmp");
        Files.writeString(temporary, pem, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        publishedFile = pem;
        LOG.info("root certificate published to {}", file);
      }
      if (client != null && !pem.equals(publishedMap)) {
        writeConfigMap(pem);
        publishedMap = pem;
        LOG.info("root certificate published to ConfigMap {}/{}", namespace, CONFIG_MAP);
      }
      return null;
    }, true);
  }

  private void writeConfigMap(String pem) throws IOException {
    ConfigMap current = client.configMaps().inNamespace(namespace).withName(CONFIG_MAP).get();
    if (current == null) {
      client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
          .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace)
          .addToLabels("app.kubernetes.io/managed-by", "meshfed-control-plane").endMetadata()
          .withData(Map.of(KEY, pem)).build()).create();
    } else if (!Objects.equals(current.getData() == null ? null : current.getData().get(KEY), pem)) {
      client.configMaps().inNamespace(namespace).withName(CONFIG_MAP)
          .edit(map -> new ConfigMapBuilder(map).addToData(KEY, pem).build());
    }
  }

  void stop() {
    vertx.cancelTimer(timer);
  }
}
