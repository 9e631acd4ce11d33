package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.demo.Demo;
import io.meshfed.demo.DemoSettings;
import io.meshfed.demo.SampleWorkload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover across the federation, with the demo in this JVM (east on 127.0.51.x, west on 127.0.52.x): reviews runs in
 * both clusters; when west's reviews backends die, every request east's ingress takes for reviews is still served,
 * by east's, and west's ingress fails over to east's through east's east-west gateway.
 */
@Timeout(value = 110, unit = java.util.concurrent.TimeUnit.SECONDS)
class DemoFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(DemoFailoverTest.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;
  Demo demo;

  @AfterEach
  void stop() {
    if (demo != null) {
      assertThat(demo.stop()).as("steps that did not stop").isEmpty();
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Who served each of {@code count} requests ({@code HTTP <status>} when it failed). */
  private static List<String> servedBy(String url, int count) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = get(url);
      out.add(response.statusCode() == 200 ? response.headers().firstValue("x-meshfed-served-by").orElse("?")
          : "HTTP " + response.statusCode() + " " + response.headers().firstValue("x-meshfed-flags").orElse(""));
    }
    return out;
  }

  @Test
  void whenWestsReviewsDieBothIngressesAreServedByEastsReviews() throws Exception {
    demo = Demo.create(DemoSettings.builder(dir).firstSubnet(51).ingressPort(18081).build(), LOG::info);
    demo.start("test");
    String east = demo.clusters().get(0).ingressUrl() + "/reviews";
    String west = demo.clusters().get(1).ingressUrl() + "/reviews";
    assertThat(servedBy(east, 20)).allMatch(s -> s.matches("(east|west)/reviews/v[12]"));

    List<SampleWorkload> stopped = demo.stopWorkloads("west", "reviews");
    assertThat(stopped).extracting(SampleWorkload::servedBy).containsExactly("west/reviews/v1", "west/reviews/v2");

    // Retries (Istio's default: connect failures and 503, another host each time) carry every request to a live
    // endpoint: from east's ingress its local pods, from west's ingress east's pods through east's gateway.
    List<String> fromEast = servedBy(east, 30);
    assertThat(fromEast).as("east's ingress after west's reviews died").allMatch(s -> s.startsWith("east/reviews/"));
    List<String> fromWest = servedBy(west, 30);
    assertThat(fromWest).as("west's ingress after west's reviews died").allMatch(s -> s.startsWith("east/reviews/"));
  }
}
