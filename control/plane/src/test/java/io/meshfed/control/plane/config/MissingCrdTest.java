package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An API server without Istio's CRDs or ServiceExport: those kinds answer 404. The source reports them (MF0012)
 * and reads the rest instead of failing. (The informer path shares {@link KubernetesConfigSource#notFound}; this
 * plain HTTP server cannot serve the WebSocket watches informers need, and the CRUD mock serves every path.)
 */
class MissingCrdTest {

  private HttpServer server;
  private final List<HttpExchange> openWatches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startApiServerWithoutCrds() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    openWatches.forEach(HttpExchange::close);
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getQuery();
    if (path.startsWith("/apis/networking.istio.io") || path.startsWith("/apis/security.istio.io")
        || path.startsWith("/apis/multicluster.x-k8s.io")) {
      byte[] body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}"
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
      return;
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (query != null && query.contains("watch=true")) {
      exchange.sendResponseHeaders(200, 0); // an open watch that never reports anything
      openWatches.add(exchange);
      return;
    }
    byte[] body = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}"
        .getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private KubernetesClient client() {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withRequestRetryBackoffLimit(0).build();
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  @Test
  void oneShotListingReportsMissingCrds() {
    try (KubernetesClient client = client()) {
      SourceContents contents = KubernetesConfigSource.list(client, "bare", "v1", "v1");
      assertThat(contents.messages()).hasSize(8).allSatisfy(m -> assertThat(m.type())
          .isEqualTo(MessageType.SOURCE_PROBLEM));
      assertThat(contents.messages()).extracting(Message::detail)
          .anyMatch(d -> d.startsWith("networking.istio.io/v1 VirtualService cannot be read"));
    }
  }

  @Test
  void informerErrorsAreRecognisedAsMissingCrdsThroughTheirWrapping() {
    KubernetesClientException notFound = new KubernetesClientException("not found", 404, null);
    assertThat(KubernetesConfigSource.notFound(new java.util.concurrent.CompletionException(notFound))).isTrue();
    assertThat(KubernetesConfigSource.notFound(notFound)).isTrue();
    assertThat(KubernetesConfigSource.notFound(new KubernetesClientException("forbidden", 403, null))).isFalse();
    assertThat(KubernetesConfigSource.notFound(new IOException("reset"))).isFalse();
  }
}
