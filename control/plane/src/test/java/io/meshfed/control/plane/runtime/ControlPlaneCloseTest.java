package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.catalog.EntryKey;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.testing.CapturedLogs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control plane closed before its first publish of local exports finished does not report the publish as failed. */
class ControlPlaneCloseTest {

  static final String HOST = "127.0.1.8";
  static final EntryKey REVIEWS = new EntryKey("east", ServiceKey.of("bookinfo", "reviews"));

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  final ExecutorService locker = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    locker.shutdownNow();
    await(vertx.close());
  }

  @Test
  void aPublishCutOffByTheCloseIsNoError() throws Exception {
    String mesh = "test-" + UUID.randomUUID();
    Path config = Files.createDirectories(dir.resolve("istio"));
    Files.writeString(config.resolve("reviews.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: reviews, namespace: bookinfo}
        """);
    Path settings = ControlPlaneFixture.settings(dir, "east", mesh, HOST, "source: directory\ndirectory: " + config,
        null);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The first publish of reviews cannot finish while its catalog entry is locked, so it is unfinished when the
    // control plane closes: its write waits for the lock at the publisher, or the close overtakes the publish on its
    // way there (this test does not tell which); either way it ends with PublisherClosedException. The lock is taken
    // once the member exists (its catalog registers its first meter), before anything is published, and by a thread
    // of the test's own, which no publish runs on.
    registry.config().onMeterAdded(meter -> {
      if (meter.getId().getName().equals("meshfed_federation_catalog_entries")) {
        HazelcastInstance member = Hazelcast.getHazelcastInstanceByName("meshfed-" + mesh + "-east");
        try {
          locker.submit(() -> member.getMap("meshfed.services").lock(REVIEWS)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new AssertionError("locking " + REVIEWS, e);
        }
      }
    });
    try (CapturedLogs logged = CapturedLogs.of(ControlPlane.class.getName())) {
      ControlPlane plane = await(ControlPlane.start(vertx, ControlPlaneSettings.load(settings, Map.of()),
          ControlPlane.Options.of("test", new TestTranslation()).withRegistry(registry)
              .withWebhookCertificates(dir.resolve("none"))));
      // The config snapshot went to the federation; its publish cannot finish, so the federation is not ready.
      ControlPlaneFixture.eventually("config published", () -> plane.readiness().waiting().stream()
          .noneMatch(reason -> reason.startsWith("config:")));
      assertThat(plane.readiness().waiting()).anyMatch(reason -> reason.startsWith("federation:"));

      await(plane.close());

      ILoggingEvent cutOff = logged.await(event -> event.getFormattedMessage().contains("local exports of config"),
          Duration.ofSeconds(10));
      assertThat(cutOff.getLevel()).as(cutOff.getFormattedMessage()).isEqualTo(Level.DEBUG);
      assertThat(logged.warnings()).isEmpty();
    }
  }
}
