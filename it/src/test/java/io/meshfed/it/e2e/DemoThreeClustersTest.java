package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshfed demo --clusters 3} from the launcher jar (east 127.0.131.x, west 127.0.132.x, north 127.0.133.x):
 * demo.json and admin.json list the three clusters; from the third cluster's ingress, {@code /ratings} (only west
 * runs it) crosses to west's east-west gateway; the three control planes see each other in one federation.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class DemoThreeClustersTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  @Test
  void theThirdClustersIngressReachesARemoteServiceAndEveryClusterIsListed() throws Exception {
    try (DemoProcess demo = DemoProcess.start(dir.resolve("demo"), "--clusters", "3", "--first-subnet", "131",
        "--ingress-port", "18131")) {
      demo.awaitReady(Duration.ofSeconds(150));
      JsonObject manifest = demo.manifest();
      JsonArray clusters = manifest.getJsonArray("clusters");
      assertThat(clusters).hasSize(3);
      assertThat(clusters.stream().map(c -> ((JsonObject) c).getString("name"))).containsExactly("east", "west",
          "north");
      JsonObject north = clusters.getJsonObject(2);
      assertThat(north.getString("ingressUrl")).isEqualTo("http://127.0.133.1:18131");
      assertThat(north.getString("eastWestAddress")).isEqualTo("127.0.133.2:15443");
      JsonObject admins = new JsonObject(Files.readString(dir.resolve("demo").resolve("admin.json")))
          .getJsonObject("clusters");
      assertThat(admins.fieldNames()).containsExactlyInAnyOrder("east", "west", "north");

      // north -> west's east-west gateway (mTLS) -> west's ratings: the route crosses clusters.
      HttpResponse<String> ratings = get(north.getString("ingressUrl") + "/ratings");
      assertThat(ratings.statusCode()).as(ratings.body()).isEqualTo(200);
      assertThat(ratings.headers().firstValue("x-meshfed-served-by")).hasValue("west/ratings/v1");

      // Every cluster's reviews is reachable from north (its own and the other two through their gateways).
      Set<String> clustersServing = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (clustersServing.size() < 3 && System.nanoTime() < deadline) {
        HttpResponse<String> reviews = get(north.getString("ingressUrl") + "/reviews");
        assertThat(reviews.statusCode()).as(reviews.body()).isEqualTo(200);
        clustersServing.add(new JsonObject(reviews.body()).getString("cluster"));
      }
      assertThat(clustersServing).containsExactlyInAnyOrder("east", "west", "north");

      // One federation of three: north's control plane sees the other two clusters.
      String clusterz = get(north.getString("controlPlaneAdminUrl") + "/debug/clusterz").body();
      assertThat(clusterz).contains("\"east\"", "\"west\"", "\"north\"");
      assertThat(demo.stop(Duration.ofSeconds(60))).isIn(130, 143);
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
