package io.meshfed.control.plane.runtime;

import io.meshfed.control.client.ca.CaClient;
import io.meshfed.trust.TrustBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Starts control planes for tests: settings written to a file, ports chosen free, readiness awaited. */
final class ControlPlaneFixture {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  private ControlPlaneFixture() {
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A settings file for a cluster on loopback {@code host}; {@code extra} is appended YAML. */
  static Path settings(Path dir, String clusterId, String meshId, String host, String configSource, String extra)
      throws IOException {
    String yaml = """
        meshId: %s
        clusterId: %s
        network: network-%s
        trustDomain: cluster.local
        systemNamespace: meshfed-system
        dataDir: %s
        config:
        %s
        xds:
          plaintextAddress: %s:0
          tlsAddress: %s:0
          debounceAfter: 10ms
          debounceMax: 1s
        admin:
          address: %s:0
        webhook:
          address: %s:0
        federation:
          relayPort: %d
          hazelcastPort: %d
          remoteSecretTimeout: 2s
        %s
        """.formatted(meshId, clusterId, clusterId, dir.resolve("data-" + clusterId), configSource.indent(2).stripTrailing(),
        host, host, host, host, freePort(host), freePort("127.0.0.1"), extra == null ? "" : extra);
    Path file = dir.resolve(clusterId + ".yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  static ControlPlane start(Vertx vertx, Path settingsFile, Map<String, String> overrides, Path webhookCerts) {
    ControlPlaneSettings settings = ControlPlaneSettings.load(settingsFile, overrides);
    return await(ControlPlane.start(vertx, settings, ControlPlane.Options.of("test", new TestTranslation())
        .withWebhookCertificates(webhookCerts)));
  }

  static String adminUrl(ControlPlane plane) {
    return "http://" + plane.settings().admin().address().host() + ":" + plane.adminPort();
  }

  static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(url + ": " + e, e);
    }
  }

  /** Polls {@code url} until the response satisfies {@code condition}, or fails after 30 s with the last one. */
  static HttpResponse<String> awaitGet(String url, Predicate<HttpResponse<String>> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> response = get(url);
    while (!condition.test(response)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(url + ": condition not met in 30 s; last answer " + response.statusCode() + ": "
            + response.body());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      response = get(url);
    }
    return response;
  }

  static CaClient caClient(Vertx vertx, ControlPlane plane) throws IOException {
    String root = Files.readString(plane.rootCertificateFile());
    return CaClient.builder(vertx)
        .server(SocketAddress.inetSocketAddress(plane.xdsTlsPort(), plane.settings().xds().tlsAddress().host()))
        .trust(TrustBundle.builder("cluster.local").addRootsPem(root, "root-cert.pem").build())
        .build();
  }

  /** Waits until {@code condition} holds, polling every 20 ms for at most 30 s. */
  static void eventually(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
