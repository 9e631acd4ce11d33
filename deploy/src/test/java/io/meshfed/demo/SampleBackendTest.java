package io.meshfed.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SampleBackendTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersWithItsClusterServiceAndVersionInHeaderAndBody() throws Exception {
    SampleBackend backend = await(SampleBackend.start(vertx, new SampleWorkload("west", "reviews", "v2"),
        "127.0.9.10", 0));
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.9.10:" + backend.port() + "/reviews/1"))
        .header("x-forwarded-client-cert", "By=spiffe://cluster.local/ns/default/sa/reviews")
        .POST(HttpRequest.BodyPublishers.ofString("ignored")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue(SampleBackend.SERVED_BY)).hasValue("west/reviews/v2");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("cluster")).isEqualTo("west");
    assertThat(body.getString("service")).isEqualTo("reviews");
    assertThat(body.getString("version")).isEqualTo("v2");
    assertThat(body.getString("servedBy")).isEqualTo("west/reviews/v2");
    assertThat(body.getString("method")).isEqualTo("POST");
    assertThat(body.getString("path")).isEqualTo("/reviews/1");
    assertThat(body.getString("forwardedClientCert")).startsWith("By=spiffe://");
    await(backend.close());
  }

  @Test
  void workloadNamesMustBeDnsLabels() {
    assertThatThrownBy(() -> new SampleWorkload("East", "reviews", "v1"))
        .hasMessage("cluster: East (expected: a DNS label, e.g. reviews)");
  }

  @Test
  void aTakenAddressFailsTheStart() throws Exception {
    SampleBackend first = await(SampleBackend.start(vertx, new SampleWorkload("east", "ratings", "v1"),
        "127.0.9.11", 0));
    Future<SampleBackend> second = SampleBackend.start(vertx, new SampleWorkload("east", "ratings", "v1"),
        "127.0.9.11", first.port());
    assertThatThrownBy(() -> await(second)).hasMessageContaining("Address already in use");
  }
}
